"""The primitive-op package reads as a lesson: its layout, the math line of every op, the F protocol,
the registry that derives methods and F entries, the grad_fn / Tensor printing and the core's
framework-neutral error messages (worded as torch's by the torch frontend, checked against torch).
"""

from __future__ import annotations

import ast
import inspect
import pathlib
import re
from fractions import Fraction

import numpy as np
import pytest
import torch

import tinygrad_rnn as tg
import tinygrad_rnn.torch as tt
from tinygrad_rnn import ops
from tinygrad_rnn.tape import AccumulateGrad, Node, ShapeError

OPS_DIR = pathlib.Path(ops.__file__).parent
MODULES = sorted(p.stem for p in OPS_DIR.glob("*.py") if p.stem != "__init__")


def _op_classes() -> list[type[Node]]:
    return [c for c in vars(ops).values() if isinstance(c, type) and issubclass(c, Node) and c is not Node]


# ---------------------------------------------------------------------------------------------
# layout
# ---------------------------------------------------------------------------------------------
def test_the_package_is_split_by_family_and_every_module_is_short():
    assert MODULES == ["base", "binary", "matmul", "movement", "namespaces", "reductions", "unary"]
    for p in OPS_DIR.glob("*.py"):
        n = len(p.read_text().splitlines())
        assert n <= 500, f"{p.name} has {n} lines"


def test_every_public_name_in_all_resolves_and_all_ops_are_exported():
    for name in ops.__all__:
        assert getattr(ops, name, None) is not None, name
    exported = {c.__name__ for c in _op_classes()}
    assert exported == {n for n in ops.__all__ if isinstance(getattr(ops, n), type)} - {
        "ArrayNamespace",
        "NUMPY_F",
        "TENSOR_F",
    }


def test_each_public_function_sits_right_after_its_class():
    """tanh right after class Tanh, and so on: the op and the function that applies it read together."""
    for p in OPS_DIR.glob("*.py"):
        tree = ast.parse(p.read_text())
        last_class = None
        classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                last_class = node.name
            elif isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & classes
                if used:
                    assert last_class in used, f"{p.name}: {node.name} follows class {last_class}, not {used}"


# ---------------------------------------------------------------------------------------------
# the math line of every op class
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", _op_classes(), ids=lambda c: c.__name__)
def test_every_op_class_states_its_math_in_one_line(cls):
    if cls is ops.UnaryMath:
        return
    doc = cls.__doc__
    assert doc, f"{cls.__name__} has no docstring"
    first = doc.splitlines()[0]
    # "y = tanh(a);  da = g * (1 - y^2)": the forward, then the gradient of each input
    assert re.match(r"y(_i)? = .+;  d\w+ = ", first), f"{cls.__name__}: {first!r}"


@pytest.mark.parametrize(
    "cls", [c for c in _op_classes() if c is not ops.UnaryMath], ids=lambda c: c.__name__
)
def test_forward_and_backward_are_typed_against_the_protocol(cls):
    hints = {n: inspect.signature(getattr(cls, n)) for n in ("forward", "backward")}
    assert hints["backward"].parameters["F"].annotation == "ArrayNamespace"
    assert hints["backward"].return_annotation is not inspect.Signature.empty
    assert hints["forward"].return_annotation is not inspect.Signature.empty


# ---------------------------------------------------------------------------------------------
# the F protocol and the registry
# ---------------------------------------------------------------------------------------------
def _protocol_members() -> set[str]:
    names = {n for n in vars(ops.ArrayNamespace) if not n.startswith("_")}
    return names | set(ops.ArrayNamespace.__annotations__)


def test_both_namespaces_satisfy_the_protocol():
    members = _protocol_members()
    assert {"tensor_mode", "sum", "reshape", "matmul", "select", "tanh", "sqrt"} <= members
    for F in (ops.NUMPY_F, ops.TENSOR_F):
        assert isinstance(F, ops.ArrayNamespace)
        missing = [m for m in members if not hasattr(F, m)]
        assert not missing, f"{F.__name__} lacks {missing}"
    assert ops.NUMPY_F.tensor_mode is False and ops.TENSOR_F.tensor_mode is True


def test_every_name_a_backward_rule_calls_on_F_is_in_the_protocol():
    used = set()
    for p in OPS_DIR.glob("*.py"):
        used |= set(re.findall(r"\bF\.(\w+)\(", p.read_text()))
    used |= {"sum", "reshape"}  # _shapes.unbroadcast
    assert used - _protocol_members() == set()


@pytest.mark.parametrize("name", sorted(ops.UNARY_MATH))
def test_elementwise_math_is_wired_from_its_class(name):
    cls = ops.UNARY_MATH[name]
    fn = getattr(ops, name)
    x = tg.Tensor(np.array([0.25, 1.5]), requires_grad=True)
    assert isinstance(fn(x).grad_fn, cls)
    assert tg.Tensor.__dict__[name] is fn  # x.tanh() is ops.tanh(x)
    assert isinstance(getattr(x, name)().grad_fn, cls)
    assert ops.NUMPY_F.__dict__[name].__func__ is cls.kernel  # F.tanh: the kernel ...
    y = getattr(ops.TENSOR_F, name)(x)  # ... and the recorded op
    assert isinstance(y.grad_fn, cls)
    np.testing.assert_array_equal(y.data, getattr(ops.NUMPY_F, name)(x.data))


# ---------------------------------------------------------------------------------------------
# Node.apply re-wraps a bare object result (0-d object arithmetic), once for every op
# ---------------------------------------------------------------------------------------------
def _obj(v) -> tg.Tensor:
    return tg.Tensor(np.asarray(v, dtype=object))


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a / b,
        lambda a, b: -a,
        lambda a, b: a**2,
        lambda a, b: ops.mean(a),
        lambda a, b: ops.matmul(ops.reshape(a, (1,)), ops.reshape(b, (1,))),
        lambda a, b: ops.maximum(a, b),
    ],
    ids=["add", "sub", "mul", "div", "neg", "pow", "mean", "dot", "maximum"],
)
def test_apply_rewraps_a_bare_object_result(fn):
    a, b = _obj(Fraction(1, 3)), _obj(Fraction(1, 2))
    out = fn(a, b)
    assert type(out.data) is np.ndarray and out.data.dtype == object and out.data.shape == ()
    assert isinstance(out.data.item(), Fraction)


def test_recompute_rewraps_too():
    a = tg.Tensor(np.asarray(Fraction(1, 3), dtype=object), requires_grad=True)
    y = a * a
    again = y.grad_fn.recompute(a.data, a.data)  # graph pictures recompute values this way
    assert type(again) is np.ndarray and again.item() == Fraction(1, 9)


def test_apply_keeps_numpy_scalars_and_arrays_as_they_are():
    x = tg.Tensor(np.float32(0.5))
    assert type((x + x).data) is np.float32  # a 0-d ufunc result, unchanged
    assert type(tg.Tensor(np.ones(2)).tanh().data) is np.ndarray


# ---------------------------------------------------------------------------------------------
# printing: grad_fn like torch's, and the core Tensor's rows aligned like numpy's
# ---------------------------------------------------------------------------------------------
def test_core_grad_fn_prints_like_torch():
    x = tg.Tensor(np.array([0.5, 1.0]), requires_grad=True)
    xt = torch.tensor([0.5, 1.0], requires_grad=True)
    hexaddr = re.compile(r"0x[0-9a-f]+")
    for ours, theirs in (
        (x.tanh().grad_fn, xt.tanh().grad_fn),
        ((x * 2).grad_fn, (xt * 2).grad_fn),
        (x.sqrt().grad_fn, xt.sqrt().grad_fn),
        ((x @ x).grad_fn, (xt @ xt).grad_fn),
    ):
        assert hexaddr.sub("0x", repr(ours)) == hexaddr.sub("0x", repr(theirs))
        assert repr(ours) == f"<{ours.name} object at {hex(id(ours))}>"
    sink, _ = x.grad_edge()
    assert isinstance(sink, AccumulateGrad)
    assert re.fullmatch(r"<AccumulateGrad object at 0x[0-9a-f]+>", repr(sink))


def test_core_tensor_repr_aligns_rows_like_numpy():
    t = tg.Tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    assert repr(t) == "Tensor([[0., 1., 2.],\n        [3., 4., 5.]], dtype=float32)"
    # the same layout as numpy's own repr, with "Tensor(" in place of "array("
    a = np.arange(8.0).reshape(2, 2, 2)
    body = repr(a)[len("array(") : repr(a).rindex(")")]
    assert repr(tg.Tensor(a, requires_grad=True)) == (
        "Tensor(" + body.replace("\n      ", "\n       ") + ", dtype=float64, requires_grad=True)"
    )
    assert repr(tg.Tensor([1.0, 2.0])) == "Tensor([1., 2.], dtype=float32)"


# ---------------------------------------------------------------------------------------------
# core error messages name no torch function; the torch frontend words torch's exact message
# ---------------------------------------------------------------------------------------------
TORCH_ISMS = re.compile(r"torch|\w+\(\)|_with_sizes|split_sizes|numel|'dim'|amax|amin")

# (the call, on a core, torch or tinygrad_rnn.torch tensor; the core ShapeError's op and facts)
ERROR_CASES = {
    "split sum": (
        lambda m, x: x.split([1, 2]),
        "split",
        {"kind": "sum", "sizes": (1, 2), "size": 4, "dim": 0},
    ),
    "max of all, empty": (lambda m, x: x[:0].max(), "max", {"kind": "empty", "dim": None}),
    "min of all, empty": (lambda m, x: x[:0].min(), "min", {"kind": "empty", "dim": None}),
}


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the exception is the result
        return e
    raise AssertionError("no exception")


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_core_error_is_neutral_and_torch_frontend_words_torchs(case):
    call, op, facts = ERROR_CASES[case]
    data = np.arange(4.0, dtype=np.float32)
    core = _raised(lambda: call(tg, tg.Tensor(data)))
    assert isinstance(core, ShapeError) and core.op == op, repr(core)
    assert facts.items() <= core.facts.items(), core.facts
    assert not TORCH_ISMS.search(str(core)), str(core)
    theirs = _raised(lambda: call(torch, torch.tensor(data)))
    ours = _raised(lambda: call(tt, tt.tensor(data)))
    assert type(ours) is type(theirs) and str(ours) == str(theirs).splitlines()[0]


def test_core_transpose_and_reduction_errors_are_neutral_shape_errors():
    a = tg.Tensor(np.zeros((2, 3)))
    e = _raised(lambda: a.transpose(0, 0))
    assert isinstance(e, ShapeError) and e.op == "transpose" and e.facts["perm"] == (0, 0)
    assert str(e) == "axes [0, 0] are not a permutation of the 2 axes of the tensor"
    e = _raised(lambda: ops.max_(tg.Tensor(np.zeros((0, 3))), 0))
    assert isinstance(e, IndexError) and isinstance(e, ShapeError)  # still an IndexError, as before
    assert e.facts == {"kind": "empty", "shape": (0, 3), "dim": 0, "whole": False}
    assert not TORCH_ISMS.search(str(e)), str(e)
    # the torch frontend words the same facts as torch's amax does
    ours = _raised(lambda: ops.max_(tt.zeros(0, 3), 0))
    theirs = _raised(lambda: torch.zeros(0, 3).amax(0))
    assert type(ours) is type(theirs) is IndexError and str(ours) == str(theirs)
    ours = _raised(lambda: ops.max_(tt.zeros(0, 3)))
    theirs = _raised(lambda: torch.zeros(0, 3).amax())
    assert type(ours) is type(theirs) and str(ours) == str(theirs)


def test_torch_frontend_words_a_core_permutation_error_as_torch():
    # torch's permute checks the dims itself; a core transpose error reaching op_error reads the same
    theirs = _raised(lambda: torch.zeros(2, 3).permute(0, 0))
    err = ShapeError("transpose", "neutral", kind="perm", perm=(0, 0), ndim=2)
    assert str(tt.Tensor.op_error(err)) == str(theirs)
    theirs = _raised(lambda: torch.zeros(2, 3).permute(0, 1, 2))
    err = ShapeError("transpose", "neutral", kind="perm", perm=(0, 1, 2), ndim=2)
    assert str(tt.Tensor.op_error(err)) == str(theirs)


def test_no_core_message_names_a_torch_function():
    core = ["tape.py", "engine.py", "tensor.py", "functional.py", "rnn.py", "_shapes.py"]
    files = [OPS_DIR.parent / f for f in core] + sorted(OPS_DIR.glob("*.py"))
    for path in files:
        for lit in re.findall(r'f?"([^"\n]*)"', path.read_text()):
            assert not re.search(r"torch\.|\b(cat|permute|amax|amin|split_with_sizes)\(\)", lit), (path, lit)
            assert "_with_sizes" not in lit and "split_sizes" not in lit, (path, lit)
