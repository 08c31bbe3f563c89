"""tinygrad_rnn.torch against real torch 2.13.0: the same test body runs on both modules.

Every test here is written once as a *body* that takes a torch-like module object (`torch` or
`tinygrad_rnn.torch`) and returns a dict of numpy results; `run_both` calls it with each module and
the dicts are compared (1e-5 in float32, 1e-10 in float64). Weights always come from a real torch
module (its state_dict, as numpy), so both sides compute with real torch's weights. Error parity
tests compare exception type and message with what torch raises *now* for the same call.
Nothing is compared against numbers produced by tinygrad_rnn itself.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import tinygrad_rnn.torch as tt


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny tensors: torch's threading only adds overhead (restored after this module)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


FRAMEWORKS = (torch, tt)
TOL = {"float32": dict(rtol=1e-5, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-10)}

T, B, I, H = 4, 3, 3, 4
LENGTHS = {"packed_sorted": [4, 3, 1], "packed_unsorted": [2, 4, 2]}  # ties: torch's sort is stable


def load_example(name: str) -> Any:
    """Import examples/<name>.py by path (examples/ is not a package)."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parent.parent / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_example_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_both(body: Callable[..., dict[str, Any]], *args: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same body, once per module object: (real torch's results, ours)."""
    real, ours = (body(m, *args) for m in FRAMEWORKS)
    return real, ours


def assert_same(real: dict[str, Any], ours: dict[str, Any], tol: dict[str, float]) -> None:
    assert real.keys() == ours.keys()
    for k in real:
        a, b = np.asarray(real[k]), np.asarray(ours[k])
        assert a.shape == b.shape, f"{k}: shape {b.shape}, torch {a.shape}"
        assert a.dtype == b.dtype, f"{k}: dtype {b.dtype}, torch {a.dtype}"
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(b, a, err_msg=k, **tol)
        else:
            np.testing.assert_array_equal(b, a, err_msg=k)


def np_out(t: Any) -> np.ndarray:
    return t.detach().numpy().copy()


# ---------------------------------------------------------------------------------------------
# The RNN grid: nonlinearity x bias x batch_first x bidirectional x layers x hx x input kind x dtype
# ---------------------------------------------------------------------------------------------
GRID = list(
    itertools.product(
        ["tanh", "relu"],
        [True, False],
        [False, True],
        [False, True],
        [1, 2, 3],
        [False, True],
        ["batched", "unbatched", "packed_sorted", "packed_unsorted"],
        ["float32", "float64"],
    )
)


def grid_id(cfg: tuple[Any, ...]) -> str:
    nl, bias, bf, bi, L, hx, kind, dt = cfg
    return f"{nl}-{'bias' if bias else 'nobias'}-{'bf' if bf else 'tf'}-{'bi' if bi else 'uni'}-L{L}-{'hx' if hx else 'nohx'}-{kind}-{dt}"


def rnn_body(
    m: Any, cfg: tuple[Any, ...], weights: dict[str, np.ndarray], data: dict[str, Any]
) -> dict[str, Any]:
    """Build the RNN in module m, load the weights, run forward + backward, return every number."""
    nl, bias, bf, bi, L, with_hx, kind, dt = cfg
    rnn = m.nn.RNN(
        I, H, L, nonlinearity=nl, bias=bias, batch_first=bf, bidirectional=bi, dtype=getattr(m, dt)
    )
    rnn.load_state_dict({k: m.tensor(v) for k, v in weights.items()})
    x = m.tensor(data["x"], requires_grad=True)
    hx = m.tensor(data["hx"], requires_grad=True) if with_hx else None
    res: dict[str, Any] = {}
    if kind.startswith("packed"):
        packed = m.nn.utils.rnn.pack_padded_sequence(
            x, LENGTHS[kind], batch_first=bf, enforce_sorted=kind == "packed_sorted"
        )
        res["packed_in.batch_sizes"] = packed.batch_sizes.numpy()
        out_packed, h_n = rnn(packed, hx)
        assert isinstance(out_packed, m.nn.utils.rnn.PackedSequence)
        res["packed_out.data"] = np_out(out_packed.data)
        if out_packed.sorted_indices is not None:
            res["packed_out.sorted_indices"] = out_packed.sorted_indices.numpy()
            res["packed_out.unsorted_indices"] = out_packed.unsorted_indices.numpy()
        out, lens = m.nn.utils.rnn.pad_packed_sequence(out_packed, batch_first=bf, total_length=T)
        res["lengths"] = lens.numpy()
    else:
        out, h_n = rnn(x, hx)
    res["output"], res["h_n"] = np_out(out), np_out(h_n)
    # one scalar that depends on every output and h_n element, with distinct weights
    loss = (out * m.tensor(data["w_out"][: out.numel()].reshape(tuple(out.shape)))).sum()
    loss = loss + (h_n * m.tensor(data["w_h"][: h_n.numel()].reshape(tuple(h_n.shape)))).sum()
    loss.backward()
    res["x.grad"] = x.grad.numpy()
    if with_hx:
        res["hx.grad"] = hx.grad.numpy()
    for name, p in rnn.named_parameters():
        res[f"{name}.grad"] = p.grad.numpy()
    res["param_names"] = np.array([n for n, _ in rnn.named_parameters()])
    return res


def torch_weights(seed: int, **cfg: Any) -> dict[str, np.ndarray]:
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mod = torch.nn.RNN(**cfg)
    return {k: v.detach().numpy().copy() for k, v in mod.state_dict().items()}


@pytest.mark.parametrize("cfg", GRID, ids=[grid_id(c) for c in GRID])
def test_rnn_grid_matches_torch(cfg):
    nl, bias, bf, bi, L, with_hx, kind, dt = cfg
    seed = GRID.index(cfg)
    weights = torch_weights(
        seed,
        input_size=I,
        hidden_size=H,
        num_layers=L,
        nonlinearity=nl,
        bias=bias,
        batch_first=bf,
        bidirectional=bi,
        dtype=getattr(torch, dt),
    )
    rng = np.random.default_rng(seed)
    D = 2 if bi else 1
    x_shape = (T, I) if kind == "unbatched" else (B, T, I) if bf else (T, B, I)
    hx_shape = (L * D, H) if kind == "unbatched" else (L * D, B, H)
    data = {
        "x": rng.standard_normal(x_shape).astype(dt),
        "hx": rng.standard_normal(hx_shape).astype(dt),
        "w_out": rng.standard_normal(T * B * D * H).astype(dt),
        "w_h": rng.standard_normal(L * D * B * H).astype(dt),
    }
    real, ours = run_both(rnn_body, cfg, weights, data)
    assert_same(real, ours, TOL[dt])


# ---------------------------------------------------------------------------------------------
# RNNCell, and inter-layer dropout switched off by eval()
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("nl", ["tanh", "relu"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_rnncell_matches_torch(nl, bias, batched, dt):
    torch.manual_seed(3)
    weights = {
        k: v.detach().numpy().copy()
        for k, v in torch.nn.RNNCell(I, H, bias=bias, nonlinearity=nl, dtype=getattr(torch, dt))
        .state_dict()
        .items()
    }
    rng = np.random.default_rng(4)
    data = {
        "x": rng.standard_normal((B, I) if batched else (I,)).astype(dt),
        "h": rng.standard_normal((B, H) if batched else (H,)).astype(dt),
    }

    def body(m):
        cell = m.nn.RNNCell(I, H, bias=bias, nonlinearity=nl, dtype=getattr(m, dt))
        cell.load_state_dict({k: m.tensor(v) for k, v in weights.items()})
        x = m.tensor(data["x"], requires_grad=True)
        h = m.tensor(data["h"], requires_grad=True)
        h1 = cell(x, h)
        h2 = cell(x, h1)  # two steps: the gradient goes through the recurrence
        h0 = cell(x)  # hx omitted: zeros
        (h2.sum() * 2 + (h0 * h0).sum()).backward()
        out = {
            "h1": np_out(h1),
            "h2": np_out(h2),
            "h0": np_out(h0),
            "x.grad": x.grad.numpy(),
            "h.grad": h.grad.numpy(),
        }
        out.update({f"{n}.grad": p.grad.numpy() for n, p in cell.named_parameters()})
        out["repr"] = repr(cell)
        return out

    assert_same(*run_both(body), TOL[dt])


def test_eval_mode_turns_inter_layer_dropout_off():
    weights = torch_weights(5, input_size=I, hidden_size=H, num_layers=3, dropout=0.5)
    x = np.random.default_rng(5).standard_normal((T, B, I)).astype(np.float32)

    def body(m):
        rnn = m.nn.RNN(I, H, 3, dropout=0.5)
        rnn.load_state_dict({k: m.tensor(v) for k, v in weights.items()})
        assert rnn.training is True  # training mode by default, as in torch
        rnn.eval()
        out, h_n = rnn(m.tensor(x))
        return {"output": np_out(out), "h_n": np_out(h_n), "training": rnn.training}

    assert_same(*run_both(body), TOL["float32"])


def test_all_weights_and_parameter_order_match_torch():
    def body(m):
        rnn = m.nn.RNN(2, 3, 2, bidirectional=True, bias=False)
        return {
            "names": np.array([n for n, _ in rnn.named_parameters()]),
            "all_weights": np.array([[tuple(p.shape) for p in layer] for layer in rnn.all_weights]),
            "state_dict": np.array(list(rnn.state_dict())),
        }

    assert_same(*run_both(body), {})


# ---------------------------------------------------------------------------------------------
# The PyTorch half of the example on MindSpore's page "Differences with torch.nn.RNN" (where this
# project started): only the import lines change, and with real torch's weights loaded the printed
# text is real torch's
# ---------------------------------------------------------------------------------------------
def test_seed_example_prints_what_torch_prints(capsys):
    ex = load_example("torch_seed_example")
    swap_imports = ex.swap_imports
    setup, run = ex.split_source(ex.SEED_SOURCE)
    real_ns: dict[str, Any] = {}
    ours_ns: dict[str, Any] = {}
    exec(compile(setup, "seed_torch", "exec"), real_ns)
    exec(compile(swap_imports(setup), "seed_tinygrad", "exec"), ours_ns)
    assert ours_ns["torch"] is tt and ours_ns["nn"] is tt.nn and ours_ns["tensor"] is tt.tensor
    # real torch's (random) weights into our module
    ours_ns["rnn"].load_state_dict({k: v.detach().numpy() for k, v in real_ns["rnn"].state_dict().items()})
    capsys.readouterr()
    exec(compile(run, "seed_torch", "exec"), real_ns)
    real_text = capsys.readouterr().out
    exec(compile(swap_imports(run), "seed_tinygrad", "exec"), ours_ns)
    ours_text = capsys.readouterr().out
    assert "grad_fn=<StackBackward0>" in real_text
    assert ours_text == real_text
    np.testing.assert_allclose(
        ours_ns["hx_n"].detach().numpy(), real_ns["hx_n"].detach().numpy(), **TOL["float32"]
    )


def test_seed_example_differs_from_the_seed_only_in_import_lines():
    ex = load_example("torch_seed_example")
    a, b = ex.SEED_SOURCE.splitlines(), ex.swap_imports(ex.SEED_SOURCE).splitlines()
    assert len(a) == len(b)
    changed = [(x, y) for x, y in zip(a, b) if x != y]
    assert changed and all(x.startswith(("import ", "from ")) for x, _ in changed)


# ---------------------------------------------------------------------------------------------
# Training parity: 20 optimiser steps on an RNN + Linear model from real torch's weights
# ---------------------------------------------------------------------------------------------
OPTIMISERS = {
    "sgd_momentum": lambda m, ps: m.optim.SGD(ps, lr=0.05, momentum=0.9),
    "sgd_nesterov_wd": lambda m, ps: m.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3),
    "sgd_dampening": lambda m, ps: m.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.5),
    "adam": lambda m, ps: m.optim.Adam(ps, lr=0.01),
    "adam_amsgrad_wd": lambda m, ps: m.optim.Adam(ps, lr=0.01, weight_decay=1e-2, amsgrad=True),
    "adamw": lambda m, ps: m.optim.AdamW(ps, lr=0.01, betas=(0.8, 0.99)),
}


def make_net(m: Any) -> Any:
    class Net(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = m.nn.RNN(3, 5, 2, batch_first=True)
            self.fc = m.nn.Linear(5, 1)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.fc(out[:, -1])

    return Net()


@pytest.mark.parametrize("clip", [False, True], ids=["noclip", "clip"])
@pytest.mark.parametrize("opt_name", list(OPTIMISERS))
def test_training_parity(opt_name, clip):
    torch.manual_seed(11)
    weights = {k: v.detach().numpy().copy() for k, v in make_net(torch).state_dict().items()}
    rng = np.random.default_rng(12)
    x = rng.standard_normal((8, 6, 3)).astype(np.float32)
    y = rng.standard_normal((8, 1)).astype(np.float32)

    def body(m):
        net = make_net(m)
        net.load_state_dict({k: m.tensor(v) for k, v in weights.items()})
        opt = OPTIMISERS[opt_name](m, net.parameters())
        loss_fn = m.nn.MSELoss()
        xs, ys = m.tensor(x), m.tensor(y)
        losses, norms = [], []
        for _ in range(20):
            opt.zero_grad()
            loss = loss_fn(net(xs), ys)
            loss.backward()
            if clip:
                norms.append(m.nn.utils.clip_grad_norm_(net.parameters(), 0.5).item())
            opt.step()
            losses.append(loss.item())
        res = {f"param.{n}": np_out(p) for n, p in net.named_parameters()}
        res["losses"] = np.array(losses)
        res["norms"] = np.array(norms)
        res["group_keys"] = np.array(sorted(opt.param_groups[0]))
        state = opt.state_dict()["state"]
        res["state_keys"] = np.array(sorted(state[0]))
        return res

    assert_same(*run_both(body), TOL["float32"])


# ---------------------------------------------------------------------------------------------
# Error parity: the bad inputs whose torch behaviour we verified by hand, against torch's live exception
# ---------------------------------------------------------------------------------------------
def _pp(m, x, lengths, **kw):
    return m.nn.utils.rnn.pack_padded_sequence(x, lengths, **kw)


ERRORS: dict[str, Callable[[Any], Any]] = {
    "input_size_zero": lambda m: m.nn.RNN(0, 4),
    "hidden_size_zero": lambda m: m.nn.RNN(3, 0),
    "num_layers_zero": lambda m: m.nn.RNN(3, 4, 0),
    "input_size_float": lambda m: m.nn.RNN(3.0, 4),
    "hidden_size_float": lambda m: m.nn.RNN(3, 4.0),
    "bias_int": lambda m: m.nn.RNN(3, 4, bias=1),
    "batch_first_int": lambda m: m.nn.RNN(3, 4, batch_first=1),
    "nonlinearity_sigmoid": lambda m: m.nn.RNN(3, 4, nonlinearity="sigmoid"),
    "nonlinearity_positional": lambda m: m.nn.RNN(3, 4, 1, "sigmoid"),
    "dropout_1.5": lambda m: m.nn.RNN(3, 4, 2, dropout=1.5),
    "dropout_negative": lambda m: m.nn.RNN(3, 4, 2, dropout=-0.1),
    "dropout_True": lambda m: m.nn.RNN(3, 4, 2, dropout=True),
    "proj_size": lambda m: m.nn.RNN(3, 4, proj_size=2),
    "unknown_kwarg": lambda m: m.nn.RNN(3, 4, foo=1),
    "missing_hidden_size": lambda m: m.nn.RNN(3),
    "dtype_int64": lambda m: m.nn.RNN(3, 4, dtype=m.int64),
    "forward_h_0_kwarg": lambda m: m.nn.RNN(3, 4)(m.ones(5, 2, 3), h_0=m.zeros(1, 2, 4)),
    "input_1d": lambda m: m.nn.RNN(3, 4)(m.ones(3)),
    "input_4d": lambda m: m.nn.RNN(3, 4)(m.ones(2, 5, 2, 3)),
    "features": lambda m: m.nn.RNN(3, 4)(m.ones(5, 2, 7)),
    "features_unbatched": lambda m: m.nn.RNN(3, 4)(m.ones(5, 7)),
    "batched_hx_2d": lambda m: m.nn.RNN(3, 4)(m.ones(5, 2, 3), m.zeros(2, 4)),
    "unbatched_hx_3d": lambda m: m.nn.RNN(3, 4)(m.ones(5, 3), m.zeros(1, 1, 4)),
    "hidden_size_batch": lambda m: m.nn.RNN(3, 4)(m.ones(5, 2, 3), m.zeros(1, 3, 4)),
    "hidden_size_layers": lambda m: m.nn.RNN(3, 4, 2)(m.ones(5, 2, 3), m.zeros(1, 2, 4)),
    "hidden_size_batch_first": lambda m: m.nn.RNN(3, 4, batch_first=True)(m.ones(2, 5, 3), m.zeros(1, 5, 4)),
    "hidden_size_unbatched": lambda m: m.nn.RNN(3, 4, 2)(m.ones(5, 3), m.zeros(2, 5)),
    "input_float64": lambda m: m.nn.RNN(3, 4)(m.ones(5, 2, 3, dtype=m.float64)),
    "input_int64": lambda m: m.nn.RNN(3, 4)(m.ones(5, 2, 3, dtype=m.int64)),
    "hx_float64": lambda m: m.nn.RNN(3, 4)(m.ones(5, 2, 3), m.zeros(1, 2, 4, dtype=m.float64)),
    "hx_float32_model_float64": lambda m: m.nn.RNN(3, 4).double()(
        m.ones(5, 2, 3, dtype=m.float64), m.zeros(1, 2, 4)
    ),
    "input_not_tensor": lambda m: m.nn.RNN(3, 4)([1.0, 2.0, 3.0]),
    "packed_features": lambda m: m.nn.RNN(3, 4)(_pp(m, m.ones(4, 3, 5), [4, 2, 1])),
    "packed_dtype": lambda m: m.nn.RNN(3, 4)(_pp(m, m.ones(4, 3, 3, dtype=m.float64), [4, 2, 1])),
    "packed_data_3d": lambda m: m.nn.RNN(3, 4)(_pp(m, m.ones(4, 3, 3, 2), [4, 2, 1])),
    "packed_hidden_size": lambda m: m.nn.RNN(3, 4)(_pp(m, m.ones(4, 3, 3), [4, 2, 1]), m.zeros(1, 2, 4)),
    "packed_hx_float64": lambda m: m.nn.RNN(3, 4)(
        _pp(m, m.ones(4, 3, 3), [4, 2, 1]), m.zeros(1, 3, 4, dtype=m.float64)
    ),
    "pack_unsorted": lambda m: _pp(m, m.ones(4, 3, 2), [2, 4, 1]),
    "pack_length_zero": lambda m: _pp(m, m.ones(4, 3, 2), [4, 2, 0]),
    "pack_length_zero_unsorted": lambda m: _pp(m, m.ones(4, 3, 2), [0, 4, 2], enforce_sorted=False),
    "pack_length_negative": lambda m: _pp(m, m.ones(4, 3, 2), [3, -1, 1], enforce_sorted=False),
    "pack_lengths_count": lambda m: _pp(m, m.ones(4, 3, 2), [4, 2]),
    "pack_lengths_2d": lambda m: _pp(m, m.ones(4, 3, 2), [[4, 2, 1]]),
    "pack_empty": lambda m: _pp(m, m.ones(4, 0, 2), []),
    "pack_1d_input": lambda m: _pp(m, m.ones(4), [2]),
    "pad_total_length": lambda m: m.nn.utils.rnn.pad_packed_sequence(
        _pp(m, m.ones(4, 3, 2), [4, 2, 1]), total_length=2
    ),
    "pad_sequence_empty": lambda m: m.nn.utils.rnn.pad_sequence([]),
    "pad_sequence_mismatch": lambda m: m.nn.utils.rnn.pad_sequence([m.ones(2, 3), m.ones(3, 2)]),
    "load_state_dict_strict": lambda m: m.nn.RNN(3, 4).load_state_dict(
        {**{k: v for k, v in m.nn.RNN(3, 4).state_dict().items() if k != "bias_hh_l0"}, "foo": m.ones(1)}
    ),
    "load_state_dict_shape": lambda m: m.nn.RNN(3, 4).load_state_dict(
        {**m.nn.RNN(3, 4).state_dict(), "weight_ih_l0": m.ones(4, 2)}
    ),
    "cell_nonlinearity": lambda m: m.nn.RNNCell(2, 3, nonlinearity="sigmoid")(m.ones(2)),
    "cell_input_3d": lambda m: m.nn.RNNCell(2, 3)(m.ones(3, 2, 1)),
    "cell_hidden_3d": lambda m: m.nn.RNNCell(2, 3)(m.ones(3, 2), m.ones(1, 3, 3)),
    "cell_input_size": lambda m: m.nn.RNNCell(2, 3)(m.ones(3, 5)),
    "cell_hidden_batch": lambda m: m.nn.RNNCell(2, 3)(m.ones(3, 2), m.ones(2, 3)),
    "cell_hidden_size": lambda m: m.nn.RNNCell(2, 3)(m.ones(3, 2), m.ones(3, 4)),
    "cell_hidden_size_unbatched": lambda m: m.nn.RNNCell(2, 3)(m.ones(2), m.ones(2, 3)),
    "cell_hidden_1d_batched": lambda m: m.nn.RNNCell(2, 3)(m.ones(3, 2), m.ones(3)),
    "cell_dtype": lambda m: m.nn.RNNCell(2, 3)(m.ones(3, 2, dtype=m.float64)),
    "linear_shape": lambda m: m.nn.Linear(3, 4)(m.ones(2, 5)),
    "linear_shape_1d": lambda m: m.nn.Linear(3, 4)(m.ones(5)),
    "linear_dtype": lambda m: m.nn.Linear(3, 4)(m.ones(2, 3, dtype=m.float64)),
    "dropout_module_p": lambda m: m.nn.Dropout(1.5),
    "mse_broadcast": lambda m: m.nn.MSELoss()(m.ones(3), m.ones(2)),
    "cross_entropy_target_range": lambda m: m.nn.CrossEntropyLoss()(m.ones(3, 4), m.tensor([0, 1, 5])),
    "numpy_requires_grad": lambda m: m.ones(2, requires_grad=True).numpy(),
    "requires_grad_int": lambda m: m.ones(2, dtype=m.int64).requires_grad_(),
    "tensor_requires_grad_int": lambda m: m.tensor([1, 2], requires_grad=True),
    "parameter_int": lambda m: m.nn.Parameter(m.ones(2, dtype=m.int64)),
    "backward_non_scalar": lambda m: (m.ones(2, requires_grad=True) * 2).backward(),
    "view_bad_shape": lambda m: m.ones(2, 3).view(4, 2),
    "item_many": lambda m: m.ones(2, 3).item(),
    "bool_many": lambda m: bool(m.ones(2)),
    "sgd_lr": lambda m: m.optim.SGD([m.ones(2, requires_grad=True)], lr=-1),
    "sgd_momentum": lambda m: m.optim.SGD([m.ones(2, requires_grad=True)], lr=0.1, momentum=-1),
    "sgd_nesterov": lambda m: m.optim.SGD([m.ones(2, requires_grad=True)], lr=0.1, nesterov=True),
    "sgd_empty": lambda m: m.optim.SGD([], lr=0.1),
    "adam_beta": lambda m: m.optim.Adam([m.ones(2, requires_grad=True)], betas=(1.0, 0.9)),
    "adam_eps": lambda m: m.optim.Adam([m.ones(2, requires_grad=True)], eps=-1.0),
    "gradcheck_no_requires_grad": lambda m: m.autograd.gradcheck(
        lambda a: a * 2, (m.ones(2, dtype=m.float64),)
    ),
    "load_missing_file": lambda m: m.load("/nonexistent/dir/x.pt"),
    "in_place_on_leaf": lambda m: m.ones(2, requires_grad=True).add_(1),
}


def _outcome(fn: Callable[[], Any]) -> tuple[str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:
            return type(e).__name__, str(e)
    return "no error", ""


@pytest.mark.parametrize("case", list(ERRORS))
def test_error_parity(case):
    real = _outcome(lambda: ERRORS[case](torch))
    ours = _outcome(lambda: ERRORS[case](tt))
    assert real[0] != "no error", f"torch accepts {case}; move it out of ERRORS"
    assert ours == real


def test_length_greater_than_T_is_a_clear_error_where_torch_is_silent():
    x = np.ones((4, 3, 2), np.float32)
    packed = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), [2, 5, 1], enforce_sorted=False)
    assert packed.batch_sizes.tolist() == [3, 2, 1, 1, 1]  # torch: 7 rows from a 4-step input
    with pytest.raises(ValueError, match=r"length of 5 exceeds the padded sequence length 4"):
        tt.nn.utils.rnn.pack_padded_sequence(tt.tensor(x), [2, 5, 1], enforce_sorted=False)
    with pytest.raises(ValueError, match=r"padded sequence length 4 \(input.size\(1\)\)"):
        tt.nn.utils.rnn.pack_padded_sequence(tt.tensor(x.transpose(1, 0, 2)), [5, 2, 1], batch_first=True)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.nn.RNN(3, 4, dropout=0.5),
        lambda m: m.nn.RNN(3, 4, 1, dropout=1.0),
    ],
)
def test_dropout_warning_parity(make):
    msgs = []
    for m in FRAMEWORKS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            make(m)
        msgs.append([(x.category, str(x.message)) for x in w])
    assert msgs[0] and msgs[1] == msgs[0]


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.nn.RNN(3, 4, bidirectional=1),
        lambda m: m.nn.RNN(3, 4, dropout=0),
        lambda m: m.nn.RNN(3, 4, 2, dropout=1.0),
        lambda m: m.nn.RNN(
            3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.25, bidirectional=True
        ),
        lambda m: m.nn.RNN(3, 4, nonlinearity="relu"),
        lambda m: m.nn.RNN(2, 3, 4, "relu", False),
        lambda m: m.nn.RNNCell(2, 3, nonlinearity="relu"),
        lambda m: m.nn.RNNCell(2, 3, bias=False),
        lambda m: m.nn.RNNCell(2, 3, nonlinearity="sigmoid"),
        lambda m: m.nn.Sequential(m.nn.RNN(3, 4), m.nn.Linear(4, 1), m.nn.Dropout(0.1)),
        lambda m: m.nn.MSELoss(),
        lambda m: m.nn.CrossEntropyLoss(),
    ],
)
def test_module_repr_parity(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(make(tt)) == repr(make(torch))


def test_gradcheck_signatures_and_messages_match_torch():
    import inspect

    for name in ("gradcheck", "gradgradcheck"):
        real = inspect.signature(getattr(torch.autograd, name)).parameters
        ours = inspect.signature(getattr(tt.autograd, name)).parameters
        assert [(p.name, p.kind, p.default) for p in ours.values()] == [
            (p.name, p.kind, p.default) for p in real.values()
        ]
    msgs = []
    for m in FRAMEWORKS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            a = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
            with pytest.raises(Exception) as e:
                m.autograd.gradcheck(lambda a: (a * a).detach().requires_grad_() * 1.0 + a, (a,))
            b = m.tensor([1.0, 2.0], requires_grad=True)
            m.autograd.gradcheck(lambda b: b * 2, (b,), atol=1e-2, rtol=1e-2, eps=1e-3)
        msgs.append((type(e.value).__name__, str(e.value).split("\n")[0], [str(x.message) for x in w]))
    assert msgs[1] == msgs[0]
