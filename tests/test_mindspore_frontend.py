"""tinygrad_rnn.mindspore on its own: layering, bookkeeping, checkpoint files, optimisers, autodiff helpers.

What can be compared with real MindSpore is in test_mindspore_oracle.py; this file checks the behaviour
that has no live counterpart (our file format, atomic writes, the import graph) and properties of our own.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_rnn.mindspore as ms
from tinygrad_rnn import ops as core_ops
from tinygrad_rnn.mindspore import Parameter, Tensor, nn
from tinygrad_rnn.tensor import Tensor as CoreTensor


def test_import_pulls_in_neither_real_mindspore_nor_the_torch_frontend():
    code = (
        "import sys, tinygrad_rnn.mindspore as ms; "
        "bad = [m for m in sys.modules if m == 'mindspore' or m.startswith(('mindspore.', 'tinygrad_rnn.torch', 'torch'))]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_tensor_is_the_core_tensor_and_ops_keep_the_frontend_class():
    a = Tensor(np.ones((2, 2), np.float32))
    p = Parameter(Tensor(np.ones((2, 2), np.float32)), name="p")
    assert isinstance(a, CoreTensor) and isinstance(p, Tensor)
    for out in (a + 1, a @ a, p * 2, 2 * p, core_ops.tanh(p), p.sum(), p[0], a.T, ms.ops.matmul(p, a)):
        assert type(out) is Tensor  # a Parameter's ops give plain Tensors
    assert type(p.detach()) is Tensor
    assert str((a * 2).dtype) == "Float32"


def test_parameter_names():
    p = Parameter(Tensor(np.zeros(2, np.float32)))
    assert p.name.startswith("Parameter#")
    assert Parameter(Tensor(np.zeros(1, np.float32)), name="  w ").name == "w"
    with pytest.raises(ValueError, match="should be 'string' or 'None'"):
        Parameter(Tensor(np.zeros(1, np.float32)), name=3)

    class Inner(nn.Cell):
        def __init__(self):
            super().__init__()
            self.rnn = nn.RNN(2, 3)
            self.free = Parameter(Tensor(np.zeros(2, np.float32)))
            self.kept = Parameter(Tensor(np.zeros(2, np.float32)), name="explicit")

    class Outer(nn.Cell):
        def __init__(self):
            super().__init__()
            self.a = Inner()

    inner = Inner()
    assert [q.name for q in inner.trainable_params()] == [
        "free", "explicit", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
    ]  # fmt: skip
    outer = Outer()  # assigning a cell renames its parameters by attribute path (the explicit one too)
    assert [q.name for q in outer.trainable_params()][:3] == ["a.free", "a.kept", "a.rnn.weight_ih_l0"]
    assert list(outer.parameters_dict())[:2] == ["a.free", "a.kept"]


def test_assigning_a_tensor_to_a_parameter_attribute_sets_its_data():
    d = nn.Dense(2, 3)
    w = d.weight
    d.weight = Tensor(np.ones((3, 2), np.float64))
    assert d.weight is w and w.asnumpy().dtype == np.float32 and (w.asnumpy() == 1).all()


def test_set_seed_reproduces_initial_weights():
    ms.set_seed(7)
    a = nn.RNN(3, 4, 2, bidirectional=True)
    d1 = nn.Dense(3, 2)
    ms.set_seed(7)
    b = nn.RNN(3, 4, 2, bidirectional=True)
    d2 = nn.Dense(3, 2)
    for p, q in zip(
        a.trainable_params() + d1.trainable_params(), b.trainable_params() + d2.trainable_params()
    ):
        np.testing.assert_array_equal(p.asnumpy(), q.asnumpy())
    assert ms.get_seed() == 7
    k = 1 / np.sqrt(4)
    assert all(np.abs(p.asnumpy()).max() <= k for p in a.trainable_params())


def test_parameters_in_a_model_dtype_and_integer_dtype_like_mindspore():
    assert all(p.asnumpy().dtype == np.float64 for p in nn.RNN(2, 3, dtype=ms.float64).trainable_params())
    net = nn.RNN(2, 3, dtype=ms.int32)  # accepted by MindSpore: U(-0.58, 0.58) cast to int gives zeros
    assert all(p.asnumpy().dtype == np.int32 and not p.asnumpy().any() for p in net.trainable_params())
    out, h_n = net(Tensor(np.ones((2, 1, 2), np.float32)))  # weights are cast to x's dtype
    assert str(out.dtype) == "Float32" and not out.asnumpy().any()


def test_dropout_only_in_training():
    ms.set_seed(0)
    x = Tensor(np.ones((200,), np.float32))
    drop = nn.Dropout(p=0.5)
    assert drop.training is False and drop(x) is x
    drop.set_train()
    y = drop(x).asnumpy()
    assert set(np.unique(y)) == {0.0, 2.0} and 60 < (y == 0).sum() < 140
    assert repr(nn.Dropout(p=0.25)) == "Dropout(p=0.25)"
    rnn = nn.RNN(2, 3, 3, dropout=0.5)
    xs = Tensor(np.random.default_rng(0).standard_normal((4, 2, 2)).astype(np.float32))
    a, b = rnn(xs)[0].asnumpy(), rnn(xs)[0].asnumpy()
    np.testing.assert_array_equal(a, b)  # eval (the default): deterministic
    rnn.set_train()
    assert not np.array_equal(rnn(xs)[0].asnumpy(), a)


def test_dense_layer():
    d = nn.Dense(4, 2, weight_init=Tensor(np.ones((2, 4), np.float32)), bias_init="zeros", activation="relu")
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10
    np.testing.assert_allclose(d(Tensor(x)).asnumpy(), np.maximum(x.sum(-1, keepdims=True), 0).repeat(2, -1))
    assert (
        repr(d)
        == "Dense(\n  input_channels=4, output_channels=2, has_bias=True, activation=ReLU()\n  (activation): ReLU()\n)"
    )
    with pytest.raises(ValueError, match="does not match the parameter's shape"):
        nn.Dense(4, 2, weight_init=np.ones((4, 2), np.float32))


def test_losses():
    logits = Tensor(np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]], np.float32))
    labels = np.array([1, 2], np.int32)
    onehot = np.eye(3, dtype=np.float32)[labels]
    sparse = nn.SoftmaxCrossEntropyWithLogits(sparse=True)(logits, Tensor(labels)).asnumpy()
    dense = nn.SoftmaxCrossEntropyWithLogits()(logits, Tensor(onehot)).asnumpy()
    ref = -np.log(np.exp(logits.asnumpy()) / np.exp(logits.asnumpy()).sum(1, keepdims=True))[[0, 1], labels]
    np.testing.assert_allclose(sparse, ref, rtol=1e-6)
    np.testing.assert_allclose(dense, ref, rtol=1e-6)
    mean = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")(logits, Tensor(labels))
    np.testing.assert_allclose(mean.asnumpy(), ref.mean(), rtol=1e-6)
    np.testing.assert_allclose(
        nn.MSELoss()(logits, Tensor(onehot)).asnumpy(), ((logits.asnumpy() - onehot) ** 2).mean()
    )
    with pytest.raises(ValueError, match="'reduction' must be in"):
        nn.MSELoss(reduction="avg")


def test_value_and_grad_leaves_parameters_untouched():
    net = nn.Dense(2, 1)
    net.bias.requires_grad = False
    params = net.get_parameters()
    before = [(p.grad, p.requires_grad) for p in net.get_parameters()]
    x = Tensor(np.ones((3, 2), np.float32))
    loss, grads = ms.value_and_grad(lambda x: net(x).sum(), None, list(params))(x)
    assert [(p.grad, p.requires_grad) for p in net.get_parameters()] == before
    np.testing.assert_allclose(grads[0].asnumpy(), [[3.0, 3.0]])
    np.testing.assert_allclose(grads[1].asnumpy(), [3.0])  # given explicitly: differentiated all the same
    assert not loss.requires_grad


def test_grad_operation_on_a_cell_and_jacobians():
    net = nn.Dense(3, 2)
    x = Tensor(np.random.default_rng(0).standard_normal((1, 3)).astype(np.float32))
    g = ms.ops.GradOperation(get_all=True, get_by_list=True)(net, net.trainable_params())(x)
    np.testing.assert_allclose(g[0][0].asnumpy(), net.weight.asnumpy().sum(0, keepdims=True), rtol=1e-6)
    jac = ms.jacrev(lambda x: ms.ops.tanh(x) * 2)(Tensor(np.array([0.5, -1.0], np.float32)))
    np.testing.assert_allclose(jac.asnumpy(), np.diag(2 * (1 - np.tanh([0.5, -1.0]) ** 2)), rtol=1e-6)
    np.testing.assert_allclose(
        ms.jacfwd(lambda x: ms.ops.tanh(x) * 2)(Tensor(np.array([0.5, -1.0], np.float32))).asnumpy(),
        jac.asnumpy(),
    )
    with pytest.raises(RuntimeError, match="Position index 3 is exceed input size."):
        ms.grad(lambda x: x.sum(), 3)(x)


def test_optimizer_groups_and_learning_rate_schedules():
    a = Parameter(Tensor(np.ones(2, np.float32)), name="a")
    b = Parameter(Tensor(np.ones(2, np.float32)), name="b")
    opt = nn.SGD(
        [{"params": [a], "lr": 0.5}, {"params": [b], "weight_decay": 0.1}], learning_rate=[0.1, 0.01]
    )
    g = Tensor(np.ones(2, np.float32))
    assert opt((g, g)) == (True, True)
    np.testing.assert_allclose(a.asnumpy(), 0.5)  # its group's lr
    np.testing.assert_allclose(b.asnumpy(), 1 - 0.1 * (1 + 0.1))  # list lr, step 0; group weight decay
    opt((g, g))
    np.testing.assert_allclose(b.asnumpy(), 0.89 - 0.01 * (1 + 0.1 * 0.89), rtol=1e-6)  # step 1
    assert opt.global_step == 2
    with pytest.raises(TypeError, match="must be 'Parameter'"):
        nn.SGD([Tensor(np.ones(2, np.float32))])
    with pytest.raises(ValueError, match="must not be empty"):
        nn.Adam([])
    with pytest.raises(ValueError, match="'nesterov' is true"):
        nn.SGD([a], nesterov=True)
    with pytest.raises(ValueError, match="'beta1' must be in range"):
        nn.Adam([a], beta1=1.0)


def test_weight_decay_skips_beta_and_gamma_names_like_mindspore():
    gamma = Parameter(Tensor(np.ones(2, np.float32)), name="norm.gamma")
    w = Parameter(Tensor(np.ones(2, np.float32)), name="w")
    nn.SGD([gamma, w], learning_rate=1.0, weight_decay=0.5)((Tensor(np.zeros(2, np.float32)),) * 2)
    np.testing.assert_allclose(gamma.asnumpy(), 1.0)
    np.testing.assert_allclose(w.asnumpy(), 0.5)


# -- checkpoints ---------------------------------------------------------------------------------
def test_checkpoint_keeps_the_order_and_the_prefix_filters(tmp_path):
    net = nn.RNN(2, 3, 2)
    ms.save_checkpoint(net, str(tmp_path / "net.ckpt"), append_dict={"epoch": 3})
    assert list(ms.load_checkpoint(str(tmp_path / "net.ckpt"))) == [
        p.name for p in net.trainable_params()
    ] + ["epoch"]
    loaded = ms.load_checkpoint(str(tmp_path / "net.ckpt"), filter_prefix="bias")
    assert list(loaded) == [p.name for p in net.trainable_params() if not p.name.startswith("bias")] + [
        "epoch"
    ]
    assert list(ms.load_checkpoint(str(tmp_path / "net.ckpt"), specify_prefix=["epoch"])) == ["epoch"]
    assert isinstance(loaded["epoch"], Parameter) and loaded["epoch"].asnumpy() == 3


def test_checkpoint_other_save_objects(tmp_path):
    ms.save_checkpoint([{"name": "a", "data": Tensor(np.ones(2, np.float32))}], str(tmp_path / "l.ckpt"))
    ms.save_checkpoint({"b": Parameter(Tensor(np.zeros(3, np.float64)), name="b")}, str(tmp_path / "d.ckpt"))
    assert list(ms.load_checkpoint(str(tmp_path / "l.ckpt"))) == ["a"]
    assert ms.load_checkpoint(str(tmp_path / "d.ckpt"))["b"].asnumpy().dtype == np.float64
    with pytest.raises(TypeError, match="'name' and 'data'"):
        ms.save_checkpoint([{"data": 1}], str(tmp_path / "x.ckpt"))
    with pytest.raises(TypeError, match="need pickle"):
        ms.save_checkpoint({"o": np.array([object()])}, str(tmp_path / "x.ckpt"))
    assert sorted(os.listdir(tmp_path)) == ["d.ckpt", "l.ckpt"]  # the failed saves left nothing behind


@pytest.mark.parametrize("content", [b"PK\x03\x04 truncated", None], ids=["truncated", "foreign-npz"])
def test_corrupt_or_foreign_checkpoints_are_reported(tmp_path, content):
    path = tmp_path / "x.ckpt"
    if content is None:
        with open(path, "wb") as f:
            np.savez(f, a=np.ones(2))  # a valid npz that is not our checkpoint
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match="Failed to read the checkpoint file .* cannot be parsed"):
        ms.load_checkpoint(str(path))


def test_context_is_accepted():
    ms.set_context(mode=ms.GRAPH_MODE, device_target="CPU")
    assert ms.get_context("mode") == ms.GRAPH_MODE
    ms.context.set_context(mode=ms.PYNATIVE_MODE)
    assert ms.context.get_context("device_target") == "CPU"
