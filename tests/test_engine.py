"""The backward walk (tinygrad_rnn.engine), step by step as docs/tensor.md names them: seed_roots,
topological_order, capture_map / prune_to_inputs, Buffers (add_into_buffer), run_node,
accumulate_grad, finish_results, and run_backward that strings them together.

tests/test_tape.py checks the walk's results against torch; here each step is checked on its own,
on graphs whose answer is derived by hand.
"""

from __future__ import annotations

import inspect
import sys

import numpy as np
import pytest

import tinygrad_rnn as tg
from tinygrad_rnn import Tensor, engine, ops
from tinygrad_rnn.engine import (
    Buffers,
    accumulate_grad,
    capture_map,
    finish_results,
    prune_to_inputs,
    run_backward,
    run_node,
    seed_roots,
    topological_order,
)
from tinygrad_rnn.tape import AccumulateGrad, Node


def _leaf(a, dtype=np.float64):
    return Tensor(np.array(a, dtype=dtype), requires_grad=True)


def _node(name: str, *inputs: Node | None) -> Node:
    """A bare graph node (no op behind it): enough for the order and pruning steps."""
    n = Node()
    n.next = [None if i is None else (i, 0) for i in inputs]
    n.n_out = 1
    n.kw = {"label": name}
    return n


def _label(n: Node) -> str:
    return n.kw["label"]


def _assert_topological(order: list[Node]) -> None:
    """Every node once, and every input of a node before it."""
    pos = {n: k for k, n in enumerate(order)}
    assert len(pos) == len(order), "a node appears twice"
    for n in order:
        for e in n.next or ():
            if e is not None:
                assert pos[e[0]] < pos[n], f"{_label(e[0])} is not before its consumer {_label(n)}"


# ---------------------------------------------------------------------------------------------
# topological_order
# ---------------------------------------------------------------------------------------------
def test_topological_order_of_a_diamond():
    #      top
    #     /   \
    #  left   right
    #     \   /
    #     bottom
    bottom = _node("bottom")
    left, right = _node("left", bottom), _node("right", bottom)
    top = _node("top", left, right)
    order = topological_order([top])
    assert len(order) == 4
    _assert_topological(order)
    assert order[0] is bottom and order[-1] is top  # the shared input once, first


def test_topological_order_of_a_real_diamond_graph():
    x = _leaf([0.3, -0.7])
    h = x * 2.0
    y = h.exp() * h.tanh()
    order = topological_order([y.grad_fn])
    names = [n.name for n in order]
    assert sorted(names) == sorted(
        ["AccumulateGrad", "MulBackward0", "ExpBackward0", "TanhBackward0", "MulBackward0"]
    )
    assert names[0] == "AccumulateGrad" and names[1] == "MulBackward0" and names[-1] == "MulBackward0"
    pos = {n: k for k, n in enumerate(order)}
    for n in order:
        for e in n.next or ():
            if e is not None:
                assert pos[e[0]] < pos[n]


def test_topological_order_with_several_roots_and_skipped_constants():
    a = _node("a")
    b = _node("b", a, None)  # None: an input that needs no gradient
    c = _node("c", a)
    order = topological_order([b, c, b])
    assert len(order) == 3
    _assert_topological(order)


def test_topological_order_of_a_100k_chain_needs_no_recursion():
    n = 100_000
    nodes = [_node("0")]
    for k in range(1, n):
        nodes.append(_node(str(k), nodes[-1]))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # a recursive DFS would fail at once
    try:
        order = topological_order([nodes[-1]])
    finally:
        sys.setrecursionlimit(limit)
    assert len(order) == n and all(a is b for a, b in zip(order, nodes))


def test_backward_through_a_100k_op_chain():
    x = _leaf(0.0)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    assert y.item() == 100_000.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    assert x.grad.item() == 1.0  # d/dx (x + n) = 1


# ---------------------------------------------------------------------------------------------
# seed_roots
# ---------------------------------------------------------------------------------------------
def test_seed_roots_point_at_the_creating_node_and_convert_the_seed():
    x = _leaf([1.0, 2.0], np.float32)
    y = x * 3.0
    ((node, idx, seed),) = seed_roots([y], [[1, 2]], ops.NUMPY_F)
    assert node is y.grad_fn and idx == 0
    assert isinstance(seed, np.ndarray) and seed.dtype == np.float32 and seed.tolist() == [1.0, 2.0]


def test_seed_roots_of_a_multi_output_node_and_of_a_leaf():
    x = _leaf([1.0, 2.0, 3.0])
    p, q = x.split([1, 2])
    roots = seed_roots([q, p, x], [np.ones(2), np.ones(1), np.ones(3)], ops.NUMPY_F)
    assert roots[0][0] is q.grad_fn and roots[0][1] == 1
    assert roots[1][0] is p.grad_fn and roots[1][1] == 0
    assert isinstance(roots[2][0], AccumulateGrad) and roots[2][0].variable() is x


def test_seed_roots_in_tensor_mode_gives_tensors():
    x = _leaf([1.0, 2.0])
    ((_, _, seed),) = seed_roots([x * 2.0], [np.ones(2)], ops.TENSOR_F)
    assert isinstance(seed, Tensor)


def test_seed_roots_refuses_an_output_outside_any_graph():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        seed_roots([Tensor(np.ones(2))], [np.ones(2)], ops.NUMPY_F)


# ---------------------------------------------------------------------------------------------
# capture_map and prune_to_inputs
# ---------------------------------------------------------------------------------------------
def test_capture_map_keeps_every_position_of_a_repeated_input():
    x, w = _leaf([1.0]), _leaf([2.0])
    h = x * w
    cap = capture_map([x, h, x])
    assert cap[x.grad_edge()] == [0, 2] and cap[(h.grad_fn, 0)] == [1]
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require grad"):
        capture_map([Tensor(np.ones(1))])


def test_prune_keeps_only_nodes_above_a_requested_input():
    a, b = _leaf([0.5, 1.0]), _leaf([0.2, -0.3])
    ea, tb = a.exp(), b.tanh()
    y = ea * tb
    order = topological_order([y.grad_fn])
    order.reverse()
    keep = prune_to_inputs(order, capture_map([a]))
    assert keep == {y.grad_fn, ea.grad_fn}  # not b's branch, not the sinks below
    keep_b = prune_to_inputs(order, capture_map([b]))
    assert keep_b == {y.grad_fn, tb.grad_fn}


def test_prune_to_an_intermediate_never_reaches_below_it():
    x = _leaf([0.5, 1.0])
    h = x.exp()
    z = (h * h.tanh()).sum()
    order = topological_order([z.grad_fn])
    order.reverse()
    keep = prune_to_inputs(order, capture_map([h]))
    assert h.grad_fn not in keep and x.grad_edge()[0] not in keep
    assert {n.name for n in keep} == {"SumBackward0", "MulBackward0", "TanhBackward0"}


def test_grad_of_one_input_runs_no_node_of_the_others(monkeypatch):
    ran = []
    real = engine.run_node

    def spy(n, gs, F, retain_graph, anomaly=False):
        ran.append(n.name)
        return real(n, gs, F, retain_graph, anomaly)

    monkeypatch.setattr(engine, "run_node", spy)
    a, b = _leaf([0.5, 1.0]), _leaf([0.2, -0.3])
    tb = b.tanh()
    y = (a.exp() * tb).sum()
    (ga,) = tg.grad(y, a)
    assert sorted(ran) == ["ExpBackward0", "MulBackward0", "SumBackward0"]
    np.testing.assert_allclose(ga.data, np.exp(a.data) * np.tanh(b.data))  # d/da sum(e^a tanh b)
    assert b.grad is None and a.grad is None
    assert not tb.grad_fn.freed and tb.grad_fn.out is not None  # never run, so never freed


# ---------------------------------------------------------------------------------------------
# Buffers (add_into_buffer) and accumulation when a tensor is used twice
# ---------------------------------------------------------------------------------------------
def test_buffers_sum_contributions_per_output():
    n = _node("two outputs")
    n.n_out = 2
    bufs = Buffers([n], in_place=True)
    g1, g2, g3 = np.array([1.0, 2.0]), np.array([10.0, 20.0]), np.array([5.0])
    bufs.add(n, 0, g1)
    bufs.add(n, 0, g2)
    bufs.add(n, 1, g3)
    got = bufs.take(n)
    np.testing.assert_array_equal(got[0], [11.0, 22.0])
    np.testing.assert_array_equal(got[1], [5.0])
    assert bufs.take(n) is None  # taken: the buffer is empty again
    np.testing.assert_array_equal(g1, [1.0, 2.0])  # the contributions were not written to


def test_buffers_add_in_place_only_into_their_own_sums():
    n = _node("big")
    bufs = Buffers([n], in_place=True)
    size = 5000  # large enough for the in-place path
    gs = [np.full(size, float(k + 1)) for k in range(4)]
    for g in gs:
        bufs.add(n, 0, g)
    (total,) = bufs.take(n)
    np.testing.assert_array_equal(total, np.full(size, 10.0))  # 1 + 2 + 3 + 4
    for k, g in enumerate(gs):
        assert (g == k + 1).all()  # no caller's array was used as the accumulator
    # once handed out, a sum is no longer added into in place
    bufs.add(n, 0, total)
    bufs.add(n, 0, np.ones(size))
    np.testing.assert_array_equal(total, np.full(size, 10.0))


def test_a_tensor_used_twice_gets_the_sum_of_both_paths():
    x = _leaf(1.5)
    h = x * 2.0  # h = 3
    y = h * h + h  # dy/dh = 2h + 1 = 7, dh/dx = 2
    y.backward()
    assert x.grad.item() == 14.0


def test_a_tensor_used_in_both_operands_and_a_weight_at_every_step():
    x = _leaf([0.5, -1.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 2 * x.data)
    w = _leaf(0.9)
    h = _leaf(1.0)
    s = h
    for _ in range(5):
        s = s * w  # s = h w^5
    s.backward()
    assert w.grad.item() == pytest.approx(5 * 0.9**4, rel=1e-14)
    assert h.grad.item() == pytest.approx(0.9**5, rel=1e-14)


# ---------------------------------------------------------------------------------------------
# run_node
# ---------------------------------------------------------------------------------------------
def test_run_node_applies_the_rule_and_frees_saved_values_unless_retained():
    x = _leaf([0.5, 2.0])
    y = x * x
    node = y.grad_fn
    g = np.array([1.0, 3.0])
    ga, gb = run_node(node, [g], ops.NUMPY_F, retain_graph=True)
    np.testing.assert_array_equal(ga, g * x.data)  # d(a*b)/da = b
    np.testing.assert_array_equal(gb, g * x.data)
    assert not node.freed
    run_node(node, [g], ops.NUMPY_F, retain_graph=False)
    assert node.freed and node.inputs is None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        run_node(node, [g], ops.NUMPY_F, retain_graph=True)


def test_run_node_with_no_gradient_gives_none_per_input():
    x = _leaf([0.5])
    y = x * x
    assert run_node(y.grad_fn, [None], ops.NUMPY_F, retain_graph=False) == (None, None)
    assert not y.grad_fn.freed  # nothing ran, nothing freed


def test_run_node_never_frees_a_node_without_saved_values():
    a, b = _leaf([1.0]), _leaf([2.0])
    y = a + b
    run_node(y.grad_fn, [np.ones(1)], ops.NUMPY_F, retain_graph=False)
    assert not y.grad_fn.freed


# ---------------------------------------------------------------------------------------------
# accumulate_grad and finish_results
# ---------------------------------------------------------------------------------------------
def test_accumulate_grad_copies_then_adds():
    x = _leaf([1.0, 2.0], np.float32)
    sink = x.grad_edge()[0]
    g = np.array([0.5, 0.25], dtype=np.float64)
    accumulate_grad(sink, g, ops.NUMPY_F)
    assert x.grad.dtype == np.float32 and not np.shares_memory(x.grad.data, g)
    g[0] = 100.0
    np.testing.assert_array_equal(x.grad.data, [0.5, 0.25])
    accumulate_grad(sink, np.array([1.0, 1.0]), ops.NUMPY_F)
    np.testing.assert_array_equal(x.grad.data, [1.5, 1.25])
    assert x.grad.grad_fn is None and not x.grad.requires_grad


def test_accumulate_grad_accepts_a_read_only_broadcast():
    x = _leaf([[1.0, 2.0], [3.0, 4.0]])
    sink = x.grad_edge()[0]
    accumulate_grad(sink, np.broadcast_to(np.array(2.0), (2, 2)), ops.NUMPY_F)
    x.grad.data[0, 0] = 5.0  # writable: a copy was taken
    np.testing.assert_array_equal(x.grad.data, [[5.0, 2.0], [2.0, 2.0]])


def test_accumulate_grad_of_a_collected_leaf_is_a_no_op():
    sink = AccumulateGrad(_leaf([1.0]))  # the leaf is gone once this line ends
    assert sink.variable() is None
    accumulate_grad(sink, np.ones(1), ops.NUMPY_F)  # must not raise


def test_accumulate_grad_in_tensor_mode_keeps_a_graph():
    x = _leaf([1.0, 2.0])
    g = x * 3.0
    accumulate_grad(x.grad_edge()[0], g, ops.TENSOR_F)
    assert x.grad is g and x.grad.requires_grad


def test_finish_results_converts_and_reports_unused_inputs_by_index():
    a, b = _leaf([1.0], np.float32), _leaf([2.0])
    res = finish_results([np.array([3.0]), None], [a, b], True, ops.NUMPY_F)
    assert isinstance(res[0], Tensor) and res[0].dtype == np.float32 and res[1] is None
    with pytest.raises(
        RuntimeError, match="The differentiated Tensor at index 1 appears to not have been used in the graph"
    ):
        finish_results([np.array([3.0]), None], [a, b], False, ops.NUMPY_F)


# ---------------------------------------------------------------------------------------------
# run_backward: flags, retain_graph, create_graph, grad_outputs
# ---------------------------------------------------------------------------------------------
def test_run_backward_flags_are_keyword_only():
    params = inspect.signature(run_backward).parameters
    flags = ["retain_graph", "create_graph", "inputs", "accumulate", "allow_unused"]
    assert all(params[f].kind is inspect.Parameter.KEYWORD_ONLY for f in flags)
    x = _leaf([1.0])
    y = (x * x).sum()
    with pytest.raises(TypeError):
        run_backward([y], [np.ones(())], True)  # retain_graph given by position
    with pytest.raises(TypeError):
        run_backward([y], [np.ones(())], False, True)
    assert x.grad is None  # nothing ran
    run_backward([y], [np.ones(())], retain_graph=False)
    np.testing.assert_array_equal(x.grad.data, [2.0])


def test_run_backward_with_inputs_returns_gradients_and_leaves_grad_alone():
    x, w = _leaf([1.0, 2.0]), _leaf([3.0, -1.0])
    y = (x * w).sum()
    gx, gw = run_backward([y], [np.ones(())], inputs=[x, w], accumulate=False)
    np.testing.assert_array_equal(gx.data, w.data)
    np.testing.assert_array_equal(gw.data, x.data)
    assert x.grad is None and w.grad is None


def test_retain_graph_then_freed_graph_error():
    x = _leaf([0.5, 1.5])
    y = (x.tanh() * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()  # frees the saved values
    t = np.tanh(x.data)
    np.testing.assert_allclose(x.grad.data, 3 * ((1 - t**2) * x.data + t))  # three backward calls
    with pytest.raises(RuntimeError, match="Specify retain_graph=True"):
        y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        tg.grad(y, x)


def test_a_graph_without_saved_values_can_be_walked_twice():
    a, b = _leaf([1.0, 2.0]), _leaf([3.0, 4.0])
    y = (a + b - 2.0 * 1.0).sum()  # add/sub/sum save nothing: nothing to free
    y.backward()
    y.backward()
    np.testing.assert_array_equal(a.grad.data, [2.0, 2.0])


def test_create_graph_gives_differentiable_gradients():
    x = _leaf(2.0)
    y = x**3.0
    (g,) = tg.grad(y, x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None and g.item() == pytest.approx(12.0)  # 3x^2
    (g2,) = tg.grad(g, x, create_graph=True)
    assert g2.item() == pytest.approx(12.0)  # 6x
    (g3,) = tg.grad(g2, x)
    assert g3.item() == pytest.approx(6.0)
    assert not g3.requires_grad
    # create_graph retains the graph by default: a second first-order grad still works
    (again,) = tg.grad(y, x)
    assert again.item() == pytest.approx(12.0)


def test_without_create_graph_gradients_are_constants():
    x = _leaf([1.0, 2.0])
    (g,) = tg.grad((x * x).sum(), x)
    assert not g.requires_grad and g.grad_fn is None
    assert tg.is_grad_enabled()  # recording was switched back on


def test_create_graph_backward_builds_a_graph_of_grad():
    x = _leaf([1.0, -2.0])
    (x * x * x).sum().backward(create_graph=True)  # grad = 3x^2, as a graph
    g = x.grad
    assert g.requires_grad
    x.grad = None
    g.sum().backward()  # d/dx sum(3x^2) = 6x
    np.testing.assert_allclose(x.grad.data, 6 * np.array([1.0, -2.0]))


def test_grad_outputs_shapes():
    x = _leaf([1.0, 2.0])
    y1 = x * 2.0  # (2,)
    y2 = x.sum()  # ()
    g1, g2 = np.array([1.0, 10.0]), np.array(3.0)
    (gx,) = tg.grad([y1, y2], x, [g1, g2], retain_graph=True)
    np.testing.assert_array_equal(gx.data, 2 * g1 + 3.0)  # J1^T g1 + J2^T g2
    (gx,) = tg.grad([y1, y2], x, [Tensor(g1), None], retain_graph=True)  # None: implicit 1 for a scalar
    np.testing.assert_array_equal(gx.data, 2 * g1 + 1.0)
    (gx,) = tg.grad(y1, x, g1, retain_graph=True)  # one array for one output
    np.testing.assert_array_equal(gx.data, 2 * g1)
    with pytest.raises(
        RuntimeError,
        match=r"Mismatch in shape: grad_output\[1\] has a shape of \(1,\) and output\[1\] has a shape of \(\)\.",
    ):
        tg.grad([y1, y2], x, [g1, np.ones(1)], retain_graph=True)
    with pytest.raises(RuntimeError, match=r"grad_output\[0\] has a shape of \(2, 1\)"):
        tg.grad([y1], x, [np.ones((2, 1))], retain_graph=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        tg.grad([y1, y2], x, [None, g2], retain_graph=True)


def test_fewer_grad_outputs_than_outputs_is_an_error():
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError):
        tg.grad([x * 2.0, x * 3.0], x, [np.ones(2)])


def test_grad_outputs_take_the_outputs_dtype():
    x = _leaf([1.0, 2.0], np.float32)
    (gx,) = tg.grad(x * 2.0, x, np.array([1, 2]))  # integer seed
    assert gx.dtype == np.float32
    np.testing.assert_array_equal(gx.data, [2.0, 4.0])
