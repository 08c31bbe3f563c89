"""The frontends' shape (issue 11): one copy of each helper, small modules, MindSpore's ops layout.

Structure checks read the source; the behaviour the folded helpers share is compared with real torch
(and MindSpore's `grad` with its own `value_and_grad`).
"""

from __future__ import annotations

import ast
import pathlib
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_rnn.mindspore as ms
import tinygrad_rnn.torch as tt

PKG = pathlib.Path(__file__).resolve().parent.parent / "tinygrad_rnn"
FRONTEND_FILES = sorted([*(PKG / "torch").rglob("*.py"), *(PKG / "mindspore").rglob("*.py")])

# ---------------------------------------------------------------------------------------------
# module size: small, or one idea whose docstring says so
# ---------------------------------------------------------------------------------------------
MAX_LINES = 550
ONE_IDEA = "One module on purpose"


@pytest.mark.parametrize("path", FRONTEND_FILES, ids=lambda p: str(p.relative_to(PKG)))
def test_frontend_modules_are_small_or_say_why(path: pathlib.Path) -> None:
    n = len(path.read_text().splitlines())
    if n > MAX_LINES:
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        assert ONE_IDEA in doc, f"{n} lines: split it, or say in its docstring why it is one module"


# ---------------------------------------------------------------------------------------------
# one copy of each message / parser in the torch frontend
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, home",
    [
        ("can require gradients", "_check.py"),  # _check.grad_dtype
        ("unexpected keyword argument", "_check.py"),  # _check.unexpected_keyword
        ("len(args) == 1 and not is_int", "_check.py"),  # _check.sizes: (2, 3) or ((2, 3),)
    ],
)
def test_torch_frontend_has_one_copy(text: str, home: str) -> None:
    where = [p.name for p in (PKG / "torch").rglob("*.py") if text in p.read_text()]
    assert where == [home], where


def test_torch_dims_are_normalized_by_the_core() -> None:
    # _norm_dim is normalize_axes plus torch's TypeError; the IndexError text is the core's
    assert "Dimension out of range" not in (PKG / "torch" / "_tensor.py").read_text()


# ---------------------------------------------------------------------------------------------
# mindspore.ops: MindSpore's layout, the same names as before the split
# ---------------------------------------------------------------------------------------------
FUNCTIONS = {
    "array_func": "arange argmax argmin broadcast_to cast cat concat expand_dims flatten full max min ones "
    "one_hot ones_like permute reshape select split squeeze stack stop_gradient swapaxes topk transpose unsqueeze "
    "unstack where zeros zeros_like",
    "math_func": "abs add amax amin div exp floor_divide log matmul maximum mean minimum mul neg pow sqrt square sub "
    "sum tanh",
    "nn_func": "check_class_targets cross_entropy dropout log_softmax mse_loss nll_loss relu sigmoid softmax",
    "clip_func": "clamp clip_by_global_norm clip_by_value",
    "random_func": "rand rand_like randint randn randn_like uniform",
}
PRIMITIVES = (
    "Add BatchMatMul Cast Concat Div Exp ExpandDims Log MatMul Mul OneHot Ones OnesLike ReLU ReduceMax "
    "ReduceMean ReduceMin ReduceSum Reshape Select Shape Sigmoid Softmax Sqrt Square Squeeze Stack Sub "
    "Tanh Transpose Unstack Zeros ZerosLike"
).split()
TRANSFORMS = "GradOperation get_grad grad jacfwd jacrev value_and_grad vjp".split()


def test_mindspore_ops_reexports_every_name_from_its_family_module() -> None:
    for family, names in FUNCTIONS.items():
        module = getattr(ms.ops.function, family)
        for name in names.split():
            assert getattr(ms.ops, name) is getattr(module, name), f"ops.{name} (function.{family})"
            assert getattr(ms.ops.function, name) is getattr(module, name)
    for name in PRIMITIVES:
        cls = getattr(ms.ops, name)
        assert cls is getattr(ms.ops.operations, name) and issubclass(cls, ms.ops.Primitive)
        assert ms.ops.Primitive is ms.ops.primitive.Primitive
    for name in TRANSFORMS:
        assert getattr(ms.ops, name) is getattr(ms.ops.composite, name)
    assert ms.ops.Tensor is ms.Tensor
    listed = {n for v in FUNCTIONS.values() for n in v.split()} | {*PRIMITIVES, *TRANSFORMS}
    assert ms.ops.vmap is sys.modules["tinygrad_rnn.mindspore.ops.vmap"].vmap
    assert listed | {"Primitive", "Tensor", "vmap"} == set(ms.ops.__all__)


@pytest.mark.parametrize("has_aux", [False, True])
@pytest.mark.parametrize("grad_position, use_weights", [(0, False), ((0, 1), False), (None, True), (0, True)])
def test_mindspore_grad_is_value_and_grad_without_the_value(
    has_aux: bool, grad_position: Any, use_weights: bool
) -> None:
    w = ms.Parameter(ms.Tensor(np.array([0.5, -1.0], np.float32)), name="w")

    def f(x: Any, y: Any) -> Any:
        out = ((x * y + w) ** 2).sum()
        return (out, x * 2) if has_aux else out

    x = ms.Tensor(np.array([1.0, 2.0], np.float32))
    y = ms.Tensor(np.array([3.0, -4.0], np.float32))
    weights = [w] if use_weights else None
    got = ms.ops.grad(f, grad_position, weights, has_aux)(x, y)
    out, want = ms.ops.value_and_grad(f, grad_position, weights, has_aux)(x, y)
    if has_aux:
        want = (want, tuple(out[1:]))

    def arrays(v: Any) -> list[np.ndarray]:
        if isinstance(v, (tuple, list)):
            return [a for e in v for a in arrays(e)]
        return [v.asnumpy()]

    assert type(got) is type(want)
    for a, b in zip(arrays(got), arrays(want), strict=True):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------------------------
# the folded torch helpers behave as torch does
# ---------------------------------------------------------------------------------------------
def _outcome(body: Callable[[Any], Any], m: Any) -> tuple[str, Any]:
    try:
        r = body(m)
    except Exception as e:  # noqa: BLE001 - the exception is the result compared
        return "raises", (type(e).__name__, str(e))
    if isinstance(r, m.nn.Module):
        r = next(r.parameters())
    return "returns", (str(r.dtype), r.shape == (2, 2) or tuple(r.shape))


def _same_as_torch(body: Callable[[Any], Any]) -> None:
    torch = pytest.importorskip("torch")
    assert _outcome(body, tt) == _outcome(body, torch)


REQUIRES_GRAD = {
    "requires_grad_": lambda m: m.zeros(2, dtype=m.int64).requires_grad_(),
    "requires_grad_bool": lambda m: m.zeros(2, dtype=m.bool).requires_grad_(),
    "tensor": lambda m: m.tensor([1], requires_grad=True),
    "zeros": lambda m: m.zeros(2, dtype=m.int64, requires_grad=True),
    "arange": lambda m: m.arange(3, requires_grad=True),
    "new_zeros": lambda m: m.zeros(2, dtype=m.int64).new_zeros(2, requires_grad=True),
    "new_ones": lambda m: m.zeros(2, dtype=m.int64).new_ones(2, requires_grad=True),
    "new_tensor": lambda m: m.zeros(2, dtype=m.int64).new_tensor([1], requires_grad=True),
    "Parameter": lambda m: m.nn.Parameter(m.zeros(2, dtype=m.int64)),
}


@pytest.mark.parametrize("body", REQUIRES_GRAD.values(), ids=REQUIRES_GRAD.keys())
def test_requires_grad_refusal_is_worded_as_torch_words_it(body: Callable[[Any], Any]) -> None:
    _same_as_torch(body)


TO_ARGS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((), {}),
    (("float64",), {}),
    (("cpu",), {}),
    (("cpu", "float64"), {}),
    (("float64", False), {}),
    ((None,), {}),
    ((True,), {}),
    ((0,), {}),
    (("int64",), {}),
    (("complex64",), {}),
    (("tensor64",), {}),
    ((), {"dtype": "float64"}),
    ((), {"dtype": "int32"}),
    ((), {"device": "cpu", "non_blocking": True}),
    ((), {"copy": True}),
    ((), {"copy": False}),
    ((), {"memory_format": None}),
    (("float64", False, True), {}),
]


def _resolve(m: Any, v: Any) -> Any:
    if v == "tensor64":
        return m.zeros(1, dtype=m.float64)
    return getattr(m, v) if isinstance(v, str) and v != "cpu" else v


@pytest.mark.parametrize("target", ["tensor", "module"])
@pytest.mark.parametrize("args, kwargs", TO_ARGS, ids=[f"{a}-{k}" for a, k in TO_ARGS])
def test_tensor_and_module_to_parse_as_torch_does(target: str, args: tuple[Any, ...], kwargs: dict) -> None:
    def body(m: Any) -> Any:
        obj = m.zeros(2, 2) if target == "tensor" else m.nn.Linear(2, 2)
        return obj.to(*[_resolve(m, a) for a in args], **{k: _resolve(m, v) for k, v in kwargs.items()})

    _same_as_torch(body)


DTYPE_NAMES = {
    "linear": lambda m, d: m.nn.Linear(2, 2)(m.zeros(1, 2, dtype=d)),
    "rnn_cell": lambda m, d: m.nn.RNNCell(2, 2)(m.zeros(1, 2, dtype=d)),
    "rnn_hx": lambda m, d: m.nn.RNN(2, 2)(m.zeros(3, 1, 2), m.zeros(1, 1, 2, dtype=d)),
    "mean": lambda m, d: m.zeros(2, dtype=d).mean(),
}


@pytest.mark.parametrize("dtype", ["int16", "int8", "uint8", "float64", "int64", "bool"])
@pytest.mark.parametrize("body", DTYPE_NAMES.values(), ids=DTYPE_NAMES.keys())
def test_messages_name_dtypes_as_torch_does(body: Callable[[Any, Any], Any], dtype: str) -> None:
    _same_as_torch(lambda m: body(m, getattr(m, dtype)))
