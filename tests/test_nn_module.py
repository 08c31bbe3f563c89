"""The core nn layer (Module, Parameter, Linear, Dropout, Sequential, RNNCell, RNN) against torch.nn.

Every structural fact (registration order, parameter names, state_dict keys, load_state_dict
errors and results, train/eval flags, repr) is compared with what the real torch.nn module built
the same way reports; the init test checks U(-1/sqrt(H), 1/sqrt(H)) statistically.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
import torch

import tinygrad_rnn
from tinygrad_rnn import Tensor, nn

RNN_CONFIGS = [
    dict(),
    dict(num_layers=2),
    dict(num_layers=3, bidirectional=True),
    dict(bias=False, bidirectional=True),
    dict(num_layers=2, bias=False, batch_first=True),
    dict(nonlinearity="relu", num_layers=2, dropout=0.25, bidirectional=True),
]
RNN_IDS = ["default", "L2", "L3-bi", "nobias-bi", "L2-nobias-bf", "relu-L2-dropout-bi"]


def _lib(name):
    return torch.nn if name == "torch" else nn


def _param(name, arr):
    if name == "torch":
        return torch.nn.Parameter(torch.tensor(arr))
    return nn.Parameter(arr)


def build_net(lib: str, tied: bool = False):
    """The same module tree, built with torch.nn or with ours (tied: one module under two names)."""
    L = _lib(lib)

    class Net(L.Module):
        def __init__(self):
            super().__init__()
            self.scale = _param(lib, np.ones(3, np.float32))
            self.rnn = L.RNN(3, 4, num_layers=2, bidirectional=True)
            self.head = L.Sequential(L.Linear(8, 5), L.Dropout(0.3), L.Linear(5, 2, bias=False))
            self.register_parameter("unused", None)
            self.offset = _param(lib, np.zeros(2, np.float32))
            self.cell = L.RNNCell(2, 3, bias=False, nonlinearity="relu")
            if tied:
                self.tied = self.head[0]  # the same module under two names
            self.not_a_param = np.ones(2)  # plain attributes are not registered
            self.offset = _param(lib, np.full(2, 0.5, np.float32))  # re-assigning keeps the slot
            del self.scale
            self.scale = _param(lib, np.ones(3, np.float32))  # delete + add: goes to the end

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(out) * self.offset

    return Net()


def _shape(p):
    return tuple(p.shape)


# ---------------------------------------------------------------------------------------------
# registration, names and order
# ---------------------------------------------------------------------------------------------
def test_registration_order_matches_torch():
    t, o = build_net("torch"), build_net("ours")
    assert [n for n, _ in o.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in o.named_modules()] == [n for n, _ in t.named_modules()]
    tn = [(n, _shape(p)) for n, p in t.named_parameters()]
    on = [(n, _shape(p)) for n, p in o.named_parameters()]
    assert on == tn
    assert len(list(o.parameters())) == len(list(t.parameters()))
    assert [(k, _shape(v)) for k, v in o.state_dict().items()] == [
        (k, _shape(v)) for k, v in t.state_dict().items()
    ]
    assert [n for n, _ in o.named_parameters(recurse=False)] == [
        n for n, _ in t.named_parameters(recurse=False)
    ]
    assert o.unused is None and "unused" not in o.state_dict()
    assert o.not_a_param.shape == (2,)


@pytest.mark.parametrize("cfg", RNN_CONFIGS, ids=RNN_IDS)
def test_rnn_parameter_names_and_order_match_torch(cfg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.RNN(3, 5, **cfg)
        o = nn.RNN(3, 5, **cfg)
    tn = [(n, _shape(p)) for n, p in t.named_parameters()]
    assert [(n, _shape(p)) for n, p in o.named_parameters()] == tn
    assert list(o.state_dict()) == list(t.state_dict())
    assert [[_shape(p) for p in w] for w in o.all_weights] == [[_shape(p) for p in w] for w in t.all_weights]
    for n, p in o.named_parameters():
        assert re.fullmatch(r"(weight|bias)_(ih|hh)_l\d+(_reverse)?", n)
        assert isinstance(p, nn.Parameter) and p.requires_grad and p.dtype == np.float32


@pytest.mark.parametrize("bias", [True, False])
def test_rnncell_and_linear_names_match_torch(bias):
    for make in (lambda L: L.RNNCell(3, 4, bias=bias), lambda L: L.Linear(3, 4, bias=bias)):
        t, o = make(torch.nn), make(nn)
        assert [(n, _shape(p)) for n, p in o.named_parameters()] == [
            (n, _shape(p)) for n, p in t.named_parameters()
        ]
        assert list(o.state_dict()) == list(t.state_dict())


def test_shared_module_names_match_torch():
    t, o = build_net("torch", tied=True), build_net("ours", tied=True)
    assert [n for n, _ in o.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in o.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert list(o.state_dict()) == list(t.state_dict())
    o.load_state_dict(_torch_sd_numpy(t))


# ---------------------------------------------------------------------------------------------
# state_dict / load_state_dict
# ---------------------------------------------------------------------------------------------
def _torch_sd_numpy(t, dtype=None):
    return {
        k: v.detach().numpy().astype(dtype or v.detach().numpy().dtype) for k, v in t.state_dict().items()
    }


@pytest.mark.parametrize("as_tensor", [False, True], ids=["numpy", "Tensor"])
@pytest.mark.parametrize("cfg", RNN_CONFIGS, ids=RNN_IDS)
def test_load_state_dict_copies_torch_weights(cfg, as_tensor):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.RNN(3, 5, **cfg)
        o = nn.RNN(3, 5, **cfg)
    sd = _torch_sd_numpy(t)
    src = {k: Tensor(v) for k, v in sd.items()} if as_tensor else sd
    params_before = [id(p) for p in o.parameters()]
    res = o.load_state_dict(src)
    assert list(res.missing_keys) == [] and list(res.unexpected_keys) == []
    assert [id(p) for p in o.parameters()] == params_before, "load copies into the same Parameters"
    for k, v in o.state_dict().items():
        np.testing.assert_array_equal(v.data, sd[k])
    # a copy, not an alias of the source
    first = next(iter(sd))
    (src[first].data if as_tensor else src[first])[...] = 123.0
    assert not np.any(o.state_dict()[first].data == 123.0)


def test_load_state_dict_converts_to_the_models_dtype():
    t = torch.nn.RNN(3, 4, dtype=torch.float64)
    o = nn.RNN(3, 4)
    o.load_state_dict(_torch_sd_numpy(t))
    ref = torch.nn.RNN(3, 4)  # torch's own behaviour: copy_ casts into the float32 parameter
    ref.load_state_dict(t.state_dict())
    for (n, p), (rn, rp) in zip(o.named_parameters(), ref.named_parameters()):
        assert n == rn and p.dtype == rp.detach().numpy().dtype == np.float32
        np.testing.assert_array_equal(p.data, rp.detach().numpy())


def test_state_dict_shares_parameter_data_like_torch():
    t, o = torch.nn.Linear(3, 2), nn.Linear(3, 2)
    with torch.no_grad():
        t.state_dict()["bias"][...] = 7.0
    o.state_dict()["bias"].data[...] = 7.0
    assert bool((t.bias == 7.0).all())
    np.testing.assert_array_equal(o.bias.data, 7.0)
    assert not o.state_dict()["bias"].requires_grad and o.state_dict()["bias"].is_leaf


def _norm_torch_msg(msg: str) -> str:
    """torch.Size([4, 3]) -> (4, 3); torch.Size([4]) -> (4,) (our shapes print as tuples)."""

    def sub(m):
        dims = [d.strip() for d in m.group(1).split(",") if d.strip()]
        return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"

    return re.sub(r"torch\.Size\(\[([^\]]*)\]\)", sub, msg)


@pytest.mark.parametrize(
    "edit",
    ["missing", "unexpected", "missing+unexpected", "size", "size 1-d", "all"],
)
@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_errors_match_torch(edit, strict):
    torch.manual_seed(0)
    t = torch.nn.RNN(3, 4, num_layers=2)
    o = nn.RNN(3, 4, num_layers=2)
    base = _torch_sd_numpy(t)
    before = {n: p.data.copy() for n, p in o.named_parameters()}

    def edited(lib):
        mk = (lambda a: torch.tensor(a)) if lib == "torch" else (lambda a: a)
        sd = {k: mk(v) for k, v in base.items()}
        if "missing" in edit or edit == "all":
            del sd["bias_hh_l0"], sd["weight_hh_l1"]
        if "unexpected" in edit or edit == "all":
            sd["extra"] = mk(np.zeros(2, np.float32))
            sd["rnn.weight"] = mk(np.zeros(1, np.float32))
        if edit in ("size", "all"):
            sd["weight_ih_l0"] = mk(np.zeros((4, 5), np.float32))
        if edit in ("size 1-d", "all"):
            sd["bias_ih_l1"] = mk(np.zeros(6, np.float32))
        return sd

    et = eo = None
    try:
        rt = t.load_state_dict(edited("torch"), strict=strict)
    except RuntimeError as e:
        et = e
    try:
        ro = o.load_state_dict(edited("ours"), strict=strict)
    except RuntimeError as e:
        eo = e
    assert (et is None) == (eo is None), f"torch raised {et!r}, ours {eo!r}"
    if et is not None:
        assert str(eo) == _norm_torch_msg(str(et))
    else:
        assert list(ro.missing_keys) == list(rt.missing_keys)
        assert list(ro.unexpected_keys) == list(rt.unexpected_keys)
        # what matched was loaded; the missing ones kept their values
        sd = edited("ours")
        for (n, p), (tn, tp) in zip(o.named_parameters(), t.named_parameters()):
            assert n == tn
            if n in sd:
                np.testing.assert_array_equal(p.data, tp.detach().numpy(), err_msg=n)
            else:
                np.testing.assert_array_equal(p.data, before[n], err_msg=n)


def test_load_state_dict_nested_names_match_torch():
    t, o = build_net("torch"), build_net("ours")
    sd = _torch_sd_numpy(t)
    o.load_state_dict(sd)
    for k, v in o.state_dict().items():
        np.testing.assert_array_equal(v.data, sd[k])
    # a nested missing key is reported with its dotted name, as torch does
    sd.pop("rnn.bias_hh_l1_reverse")
    with pytest.raises(RuntimeError) as eo:
        o.load_state_dict(sd)
    with pytest.raises(RuntimeError) as et:
        t.load_state_dict({k: torch.tensor(v) for k, v in sd.items()})
    assert str(eo.value) == _norm_torch_msg(str(et.value))


# ---------------------------------------------------------------------------------------------
# train / eval, zero_grad, dtype conversion
# ---------------------------------------------------------------------------------------------
def test_train_eval_propagate_like_torch():
    t, o = build_net("torch"), build_net("ours")

    def flags(m):
        return [(n, mm.training) for n, mm in m.named_modules()]

    assert flags(o) == flags(t) and all(f for _, f in flags(o))
    assert o.eval() is o
    t.eval()
    assert flags(o) == flags(t) and not any(f for _, f in flags(o))
    o.head.train()
    t.head.train()
    assert flags(o) == flags(t)
    assert o.train() is o
    t.train()
    assert flags(o) == flags(t)
    o.train(False)
    t.train(False)
    assert flags(o) == flags(t)


def _backward_once(o):
    x = Tensor(np.random.default_rng(0).standard_normal((4, 2, 3)).astype(np.float32))
    o(x).sum().backward()


def test_zero_grad():
    o = build_net("ours")
    _backward_once(o)
    used = [n for n, p in o.named_parameters() if p.grad is not None]
    # torch's view of which parameters this forward reaches
    t = build_net("torch")
    t(torch.zeros(4, 2, 3)).sum().backward()
    assert used == [n for n, p in t.named_parameters() if p.grad is not None]
    o.zero_grad()  # torch >= 2.0 default: set_to_none=True
    assert all(p.grad is None for p in o.parameters())
    _backward_once(o)
    o.zero_grad(set_to_none=False)
    for n, p in o.named_parameters():
        if n in used:
            assert p.grad is not None and p.grad.shape == p.shape and not np.any(p.grad.data)
        else:
            assert p.grad is None


def test_gradients_accumulate_until_zero_grad():
    o = nn.Linear(3, 2)
    x = Tensor(np.ones((1, 3), np.float32))
    o(x).sum().backward()
    g1 = o.weight.grad.data.copy()
    o(x).sum().backward()
    np.testing.assert_allclose(o.weight.grad.data, 2 * g1)
    o.zero_grad()
    o(x).sum().backward()
    np.testing.assert_allclose(o.weight.grad.data, g1)


@pytest.mark.parametrize("cfg", RNN_CONFIGS[:3], ids=RNN_IDS[:3])
def test_double_and_float(cfg):
    torch.manual_seed(0)
    t = torch.nn.RNN(3, 4, **cfg)
    o = nn.RNN(3, 4, **cfg)
    o.load_state_dict(_torch_sd_numpy(t))
    ids = [id(p) for p in o.parameters()]
    _backward_once_rnn = Tensor(np.ones((2, 1, 3), np.float32))
    o(_backward_once_rnn)[0].sum().backward()
    assert o.double() is o
    t.double()
    assert [id(p) for p in o.parameters()] == ids
    assert all(p.dtype == np.float64 for p in o.parameters())
    assert all(p.grad is None or p.grad.dtype == np.float64 for p in o.parameters())
    x = np.random.default_rng(1).standard_normal((5, 2, 3))
    out_o, hn_o = o(Tensor(x))
    out_t, hn_t = t(torch.tensor(x))
    assert out_o.dtype == np.float64
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(hn_o.data, hn_t.detach().numpy(), rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError, match="float32"):
        o(Tensor(x.astype(np.float32)))  # a float32 input no longer matches the weights
    assert o.float() is o
    assert [id(p) for p in o.parameters()] == ids
    assert all(p.dtype == np.float32 for p in o.parameters())
    t.float()
    out_o, _ = o(Tensor(x.astype(np.float32)))
    out_t, _ = t(torch.tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------------------------
# repr
# ---------------------------------------------------------------------------------------------
REPR_CASES = {
    **{f"RNN {i}": (lambda L, c=c: L.RNN(3, 4, **c)) for i, c in zip(RNN_IDS, RNN_CONFIGS)},
    "RNN dropout=1 int": lambda L: L.RNN(3, 4, num_layers=2, dropout=1),
    "RNN relu only": lambda L: L.RNN(3, 4, nonlinearity="relu"),
    "RNN batch_first bi": lambda L: L.RNN(7, 2, batch_first=True, bidirectional=True),
    "RNNCell": lambda L: L.RNNCell(3, 4),
    "RNNCell nobias": lambda L: L.RNNCell(3, 4, bias=False),
    "RNNCell relu": lambda L: L.RNNCell(3, 4, nonlinearity="relu"),
    "RNNCell nobias relu": lambda L: L.RNNCell(3, 4, bias=False, nonlinearity="relu"),
    "Linear": lambda L: L.Linear(3, 4),
    "Linear nobias": lambda L: L.Linear(3, 4, bias=False),
    "Dropout": lambda L: L.Dropout(0.2),
    "Sequential": lambda L: L.Sequential(L.Linear(2, 3), L.Dropout(), L.Linear(3, 1, bias=False)),
    "Sequential nested": lambda L: L.Sequential(
        L.Linear(2, 3), L.Sequential(L.Dropout(0.2), L.RNN(3, 4, num_layers=2, dropout=0.5)), L.RNNCell(4, 4)
    ),
    "Sequential empty": lambda L: L.Sequential(),
    "Module tree": lambda L: build_net("torch" if L is torch.nn else "ours"),
}


@pytest.mark.parametrize("case", list(REPR_CASES))
def test_repr_matches_torch(case):
    make = REPR_CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, o = make(torch.nn), make(nn)
    assert repr(o) == repr(t)


# ---------------------------------------------------------------------------------------------
# initialisation
# ---------------------------------------------------------------------------------------------
def _ks_uniform(v: np.ndarray, a: float, b: float) -> float:
    """Kolmogorov-Smirnov distance between the sample v and U(a, b)."""
    v = np.sort(v)
    n = v.size
    cdf = (v - a) / (b - a)
    return float(max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n)))


@pytest.mark.parametrize(
    "make, k",
    [
        (lambda: nn.RNN(10, 64, num_layers=2, bidirectional=True), 1 / math.sqrt(64)),
        (lambda: nn.RNN(300, 16), 1 / math.sqrt(16)),  # the bound uses H, not the input size
        (lambda: nn.RNNCell(5, 50), 1 / math.sqrt(50)),
        (lambda: nn.Linear(200, 30), 1 / math.sqrt(200)),  # Linear: 1/sqrt(in_features)
    ],
    ids=["RNN-L2-bi", "RNN-wide-input", "RNNCell", "Linear"],
)
def test_init_is_uniform_in_bounds(make, k):
    tinygrad_rnn.manual_seed(0)
    m = make()
    allv = np.concatenate([p.data.ravel() for p in m.parameters()]).astype(np.float64)
    for n, p in m.named_parameters():
        assert p.dtype == np.float32, n
        assert np.all(np.abs(p.data) <= k), f"{n} outside [-{k}, {k}]"
        if p.data.size >= 50:
            assert np.ptp(p.data) > k, f"{n} is not spread over the interval"
    n = allv.size
    assert abs(allv.mean()) < 5 * k / math.sqrt(3 * n)
    np.testing.assert_allclose(allv.var(), k * k / 3, rtol=0.1)
    assert _ks_uniform(allv, -k, k) < 1.63 / math.sqrt(n) + 0.01  # 1% level of the KS test
    # seeded: the same seed gives the same weights, another seed others
    tinygrad_rnn.manual_seed(0)
    again = np.concatenate([p.data.ravel() for p in make().parameters()])
    np.testing.assert_array_equal(again, allv.astype(np.float32))
    tinygrad_rnn.manual_seed(1)
    other = np.concatenate([p.data.ravel() for p in make().parameters()])
    assert not np.array_equal(other, again)


def test_init_dtype_follows_argument():
    o = nn.RNN(3, 4, dtype=np.float64)
    assert all(p.dtype == np.float64 for p in o.parameters())
    assert all(np.all(np.abs(p.data) <= 0.5) for p in o.parameters())


def test_layers_take_numpy_arrays_as_constant_inputs():
    # the core Tensor wraps numpy: a layer given an ndarray (input or state) treats it as a constant
    rnn = nn.RNN(2, 3, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((4, 1, 2))
    h0 = np.full((1, 1, 3), 0.5)
    out_np, h_np = rnn(x, h0)
    out_t, h_t = rnn(Tensor(x), Tensor(h0))
    np.testing.assert_array_equal(out_np.numpy(), out_t.numpy())
    np.testing.assert_array_equal(h_np.numpy(), h_t.numpy())
    out_np.sum().backward()  # the weights still get gradients
    assert rnn.weight_ih_l0.grad is not None
    cell = nn.RNNCell(2, 3, dtype=np.float64)
    np.testing.assert_array_equal(cell(x[0]).numpy(), cell(Tensor(x[0])).numpy())
    # a dtype that does not match the weights gets the layer's own message, not a numpy error
    with pytest.raises(ValueError, match=r"input dtype \(float32\) does not match weight dtype \(float64\)"):
        rnn(x.astype(np.float32))
