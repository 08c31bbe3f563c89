"""The toy sequence tasks (tinygrad_rnn.tasks): each data generator (shapes, dtypes, determinism under
a seed, and that the target is what the task says), the trivial baselines, the metrics and the
task registry.

Targets and baselines are recomputed here from the inputs with independent formulas (an explicit
XOR loop for parity, the sine recurrence s[t+1] + s[t-1] = 2 cos(w) s[t], hand-derived losses
such as log 2 and log 8). tests/test_train.py trains on the tasks.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_rnn.tasks import (
    TASKS,
    VAL_SEED,
    Adding,
    CharLM,
    Copy,
    Parity,
    Sine,
    Task,
    bits,
    cross_entropy_np,
    get_task,
)

SMALL_TEXT = "the quick brown fox jumps over the lazy dog. " * 150  # 6,750 characters


def _task(name: str, length: int | None = None) -> Task:
    if name == "charlm":
        return CharLM(length, text=SMALL_TEXT)
    return get_task(name, length)


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------------------------
# every task: shapes, dtypes, determinism
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(TASKS))
def test_batch_shapes_and_dtypes(name):
    task = _task(name)
    x, y = task.batch(_rng(), 7)
    assert x.dtype == np.float32 and x.ndim == 3 and x.shape[0] == 7 and x.shape[2] == task.input_size
    assert task.n_scored <= x.shape[1]
    if task.classification:
        assert y.dtype == np.int64 and y.shape == (7, task.n_scored)
        assert y.min() >= 0 and y.max() < task.output_size
    else:
        assert y.dtype == np.float32 and y.shape == (7, task.n_scored, task.output_size)


@pytest.mark.parametrize("name", list(TASKS))
def test_batches_are_determined_by_the_rng(name):
    task = _task(name)
    x1, y1 = task.batch(_rng(3), 6)
    x2, y2 = _task(name).batch(_rng(3), 6)  # another instance, the same seed
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    x3, _ = task.batch(_rng(4), 6)
    assert not np.array_equal(x1, x3)
    rng = _rng(3)
    first, _ = task.batch(rng, 6)
    second, _ = task.batch(rng, 6)  # the generator moves on: the next batch is new data
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("name", ["sine", "adding", "parity", "copy"])
def test_validation_set_is_fixed_cached_and_seeded_by_the_task(name):
    task = _task(name)
    task.batch(_rng(99), 5)  # training draws do not move the validation set
    xv, yv = task.val_set()
    assert xv.shape[0] == task.val_size and task.val_set()[0] is xv  # made once
    x_ref, y_ref = task.batch(np.random.default_rng(VAL_SEED), task.val_size)
    np.testing.assert_array_equal(xv, x_ref)
    np.testing.assert_array_equal(yv, y_ref)
    np.testing.assert_array_equal(_task(name).val_set()[0], xv)


@pytest.mark.parametrize(
    "name,bad",
    [("sine", [8, 0, -3]), ("adding", [1, 0]), ("parity", [1]), ("copy", [-1]), ("charlm", [1, 1001])],
)
def test_bad_lengths_name_the_option(name, bad):
    for b in bad:
        with pytest.raises(ValueError, match=f"--length.*{b}"):
            _task(name, b)


def test_options_and_lengths():
    assert Sine().length == 40 and Sine(20).options() == {"length": 20}
    assert Adding(7).length == 7 and Parity(5).n_scored == 5
    assert Copy(0).length == 0 and Copy(0).batch(_rng(), 2)[0].shape[1] == 5 + 0 + 1 + 5


# ---------------------------------------------------------------------------------------------
# sine: next-step regression on sine waves
# ---------------------------------------------------------------------------------------------
def test_sine_sequences_are_sinusoids_with_the_stated_ranges():
    task = Sine(30)
    x, y = task.batch(_rng(1), 64)
    s = x[:, :, 0].astype(np.float64)
    assert task.n_scored == 30 - 8 and y.shape == (64, 22, 1)
    for seq in s:
        # s[t+1] + s[t-1] = 2 cos(w) s[t] for any A sin(w t + phase): fit cos(w) by least squares
        mid, around = seq[1:-1], seq[2:] + seq[:-2]
        c = (around * mid).sum() / (2 * (mid * mid).sum())
        assert np.abs(around - 2 * c * mid).max() < 1e-5
        w = math.acos(c)
        assert 2 * math.pi / 32 - 1e-4 <= w <= 2 * math.pi / 8 + 1e-4  # period 8-32 steps
        # amplitude from A^2 = s[t]^2 + ((s[t+1] - s[t-1]) / (2 sin w))^2
        amp = np.sqrt(mid**2 + ((seq[2:] - seq[:-2]) / (2 * math.sin(w))) ** 2)
        assert amp.max() - amp.min() < 1e-4 and 0.5 - 1e-4 <= amp.mean() <= 1.5 + 1e-4


def test_sine_target_is_the_next_value():
    task = Sine(20)
    x, y = task.batch(_rng(2), 16)
    xs, ys = x[:, :, 0].astype(np.float64), y[:, :, 0].astype(np.float64)
    # scored steps are 8 .. 19; the target at step t is the input at t + 1
    np.testing.assert_array_equal(ys[:, :-1], xs[:, 9:])
    # the very last target lies past the input: continue the recurrence s[T] = 2 cos(w) s[T-1] - s[T-2]
    mid = xs[:, 1:-1]
    c = ((xs[:, 2:] + xs[:, :-2]) * mid).sum(1) / (2 * (mid * mid).sum(1))
    np.testing.assert_allclose(ys[:, -1], 2 * c * xs[:, -1] - xs[:, -2], atol=1e-5)


def test_sine_baseline_repeats_the_last_value():
    task = Sine()
    x, y = task.val_set()
    name, loss, metric = task.baseline()
    expect = np.mean((x[:, 8:, 0].astype(np.float64) - y[:, :, 0].astype(np.float64)) ** 2)
    assert name == "repeat the last value" and loss == metric
    assert loss == pytest.approx(expect, rel=1e-12)
    assert 0.01 < loss < 1.0 and not task.reached(metric)


# ---------------------------------------------------------------------------------------------
# adding problem
# ---------------------------------------------------------------------------------------------
def test_adding_target_is_the_sum_of_the_two_marked_values():
    task = Adding(12)
    x, y = task.batch(_rng(5), 200)
    assert task.n_scored == 1 and y.shape == (200, 1, 1)
    vals, mark = x[:, :, 0].astype(np.float64), x[:, :, 1]
    assert ((vals >= 0) & (vals < 1)).all()
    assert set(np.unique(mark)) == {0.0, 1.0}
    for b in range(200):
        pos = np.flatnonzero(mark[b])
        assert len(pos) == 2 and pos[0] < 6 <= pos[1]  # one marker in each half
        assert y[b, 0, 0] == pytest.approx(vals[b, pos[0]] + vals[b, pos[1]], abs=1e-6)


def test_adding_odd_length_halves():
    task = Adding(7)  # first half [0, 3), second [3, 7)
    x, _ = task.batch(_rng(6), 500)
    pos = np.array([np.flatnonzero(m) for m in x[:, :, 1]])
    assert pos[:, 0].max() <= 2 and pos[:, 1].min() >= 3 and pos[:, 1].max() == 6


def test_adding_baseline_predicts_one_and_is_about_one_sixth():
    task = Adding()
    _, y = task.val_set()
    name, loss, metric = task.baseline()
    assert name.startswith("always predict 1") and loss == metric
    assert loss == pytest.approx(np.mean((1.0 - y.astype(np.float64)) ** 2), rel=1e-12)
    # the sum of two U(0, 1) has mean 1 and variance 2/12: E[(sum - 1)^2] = 1/6
    assert abs(loss - 1 / 6) < 0.03


# ---------------------------------------------------------------------------------------------
# parity
# ---------------------------------------------------------------------------------------------
def test_parity_target_is_the_running_xor():
    task = Parity(11)
    x, y = task.batch(_rng(7), 64)
    bits_in = x[:, :, 0]
    assert set(np.unique(bits_in)) <= {0.0, 1.0}
    for b in range(64):
        acc = 0
        for t in range(11):
            acc ^= int(bits_in[b, t])
            assert y[b, t] == acc


def test_parity_metric_scores_the_last_step_only():
    task = Parity(4)
    y = np.array([[0, 1, 1, 0], [1, 1, 0, 1]])
    pred = np.zeros((2, 4, 2), np.float32)
    pred[0, :, 1] = 1.0  # predicts 1 everywhere: wrong at the end
    pred[1, :, 1] = 1.0  # predicts 1 everywhere: right at the end
    assert task.metric_np(pred, y) == 0.5
    pred[0, -1] = [1.0, 0.0]
    assert task.metric_np(pred, y) == 1.0


def test_parity_baseline():
    task = Parity()
    _, y = task.val_set()
    name, loss, acc = task.baseline()
    assert name == "guess the majority class"
    assert loss == pytest.approx(math.log(2), rel=1e-12)  # a 50/50 guess at every step
    ones = y[:, -1].mean()
    assert acc == pytest.approx(max(ones, 1 - ones), rel=1e-12)


# ---------------------------------------------------------------------------------------------
# copy
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("delay", [0, 3])
def test_copy_input_layout_and_target_is_the_delayed_copy(delay):
    task = Copy(delay)
    K, A = 5, 8
    x, y = task.batch(_rng(8), 32)
    steps = K + delay + 1 + K
    assert x.shape == (32, steps, A + 2) and task.n_scored == K
    assert (x.sum(-1) == 1).all()  # one-hot at every step
    ids = x.argmax(-1)
    np.testing.assert_array_equal(ids[:, :K], y)  # the symbols read are the ones to write back
    assert (y < A).all()
    assert (ids[:, K : K + delay] == A).all()  # blanks during the delay
    assert (ids[:, K + delay] == A + 1).all()  # the go marker
    assert (ids[:, K + delay + 1 :] == A).all()  # blank inputs while recalling
    assert steps - task.n_scored == K + delay + 1  # the scored steps are the recall slots


def test_copy_baseline():
    task = Copy()
    _, y = task.val_set()
    name, loss, acc = task.baseline()
    assert "uniformly" in name
    assert loss == pytest.approx(math.log(8), rel=1e-6)  # uniform over the 8 symbols
    counts = np.bincount(y.ravel(), minlength=8)
    assert acc == pytest.approx(counts.max() / y.size, rel=1e-12)
    assert 1 / 8 <= acc < 0.2


# ---------------------------------------------------------------------------------------------
# character language model
# ---------------------------------------------------------------------------------------------
def test_charlm_vocabulary_encode_decode():
    task = CharLM(text=SMALL_TEXT)
    assert task.chars == sorted(set(SMALL_TEXT)) and task.input_size == task.output_size == len(task.chars)
    assert task.decode(task.ids) == SMALL_TEXT
    one_hot = task.encode(np.array([0, 2]))
    assert one_hot.dtype == np.float32 and one_hot.shape == (2, len(task.chars))
    np.testing.assert_array_equal(one_hot.argmax(-1), [0, 2])


def test_charlm_holds_out_every_tenth_block_of_500():
    task = CharLM(text=SMALL_TEXT)
    held = "".join(SMALL_TEXT[i : i + 500] for i in range(4500, len(SMALL_TEXT), 5000))
    trained = "".join(SMALL_TEXT[i : i + 500] for i in range(0, len(SMALL_TEXT), 500) if (i // 500) % 10 != 9)
    assert task.decode(task.val_ids) == held
    assert task.decode(task.train_ids) == trained


def test_charlm_windows_predict_the_next_character():
    task = CharLM(12, text=SMALL_TEXT)
    train_text = task.decode(task.train_ids)
    x, y = task.batch(_rng(9), 8)
    assert x.shape == (8, 12, len(task.chars)) and y.shape == (8, 12)
    for b in range(8):
        inp, tgt = task.decode(x[b].argmax(-1)), task.decode(y[b])
        assert inp[1:] == tgt[:-1]  # the target is the input shifted by one
        assert inp + tgt[-1] in train_text  # a window of the training text


def test_charlm_validation_windows_tile_the_held_out_text():
    task = CharLM(10, text=SMALL_TEXT)
    x, y = task.val_set()
    n = min(task.val_size, (len(task.val_ids) - 1) // 10)
    assert x.shape[0] == n
    held = task.decode(task.val_ids)
    for b in range(n):
        assert task.decode(x[b].argmax(-1)) == held[10 * b : 10 * b + 10]
        assert task.decode(y[b]) == held[10 * b + 1 : 10 * b + 11]


def test_charlm_baseline_is_the_smoothed_unigram():
    text = "ab" * 3000  # a and b equally frequent: the unigram guesses 50/50
    task = CharLM(8, text=text)
    _, loss, metric = task.baseline()
    assert loss == metric == pytest.approx(math.log(2), rel=1e-12)
    task = CharLM(8, text="aaab" * 1500)
    _, loss, _ = task.baseline()
    _, y = task.val_set()
    counts = np.array([task.decode(task.train_ids).count(c) for c in task.chars]) + 1.0  # add-one smoothing
    p = counts / counts.sum()
    assert loss == pytest.approx(-np.mean(np.log(p[y])), rel=1e-12)


def test_charlm_ships_its_text():
    task = CharLM()
    assert len(task.text) > 10_000 and task.val_ids.size > 0
    assert not task.reached(task.baseline()[2])


# ---------------------------------------------------------------------------------------------
# metrics, targets, registry
# ---------------------------------------------------------------------------------------------
def test_cross_entropy_np_by_hand():
    # logits [0, log 3]: softmax [1/4, 3/4]
    logits = np.array([[0.0, math.log(3.0)], [0.0, math.log(3.0)]])
    assert cross_entropy_np(logits, np.array([1, 0])) == pytest.approx((-math.log(0.75) - math.log(0.25)) / 2)
    assert cross_entropy_np(np.zeros((3, 4, 5)), np.zeros((3, 4), np.int64)) == pytest.approx(math.log(5))
    big = np.array([[1000.0, 0.0]])  # stable for large logits
    assert cross_entropy_np(big, np.array([0])) == pytest.approx(0.0, abs=1e-12)


def test_loss_and_metric_of_a_regression_task():
    task = Adding()
    pred = np.array([[[1.0]], [[0.5]]], np.float32)
    y = np.array([[[1.5]], [[0.5]]], np.float32)
    assert task.loss_np(pred, y) == pytest.approx(0.125)  # (0.25 + 0) / 2
    assert task.metric_np(pred, y) == task.loss_np(pred, y)


def test_loss_and_accuracy_of_a_classification_task():
    task = Copy()
    y = np.array([[0, 1, 2, 3, 4]])
    pred = np.zeros((1, 5, 9), np.float32)
    pred[0, np.arange(5), [0, 1, 2, 7, 7]] = 5.0
    assert task.metric_np(pred, y) == pytest.approx(0.6)
    p_right = math.exp(5) / (math.exp(5) + 8)
    assert task.loss_np(pred, y) == pytest.approx(
        (-3 * math.log(p_right) - 2 * math.log(1 / (math.exp(5) + 8))) / 5
    )


def test_reached_and_target_text():
    assert Sine().reached(1e-3) and not Sine().reached(1.1e-3)
    assert Parity().reached(0.99) and not Parity().reached(0.98)
    assert Sine.target_text() == "mse <= 0.001"
    assert Parity.target_text() == "accuracy >= 0.99"
    assert CharLM.target_text() == "loss <= 2.1 nats/char"


@pytest.mark.parametrize("name", list(TASKS))
def test_baseline_misses_the_target_and_describe_says_so(name):
    task = _task(name)
    bname, bloss, bmetric = task.baseline()
    assert np.isfinite(bloss) and np.isfinite(bmetric) and not task.reached(bmetric)
    text = task.describe()
    assert text.startswith(f"{name}: ") and task.target_text() in text and bname in text


def test_registry_and_errors():
    assert set(TASKS) == {"sine", "adding", "parity", "copy", "charlm"}
    assert all(TASKS[n].name == n for n in TASKS)
    assert isinstance(get_task("parity", 6), Parity) and get_task("parity", 6).length == 6
    with pytest.raises(
        KeyError, match="unknown task 'xor'; choose one of: sine, adding, parity, copy, charlm"
    ):
        get_task("xor")


def test_bits():
    assert bits(math.log(2)) == pytest.approx(1.0)
    assert bits(math.log(8)) == pytest.approx(3.0)
