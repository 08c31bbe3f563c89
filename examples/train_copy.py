"""The copy (memory) task with an RNN, written in MindSpore; runs on tinygrad_rnn.mindspore.

    python examples/train_copy.py                          # tinygrad_rnn.mindspore, delay 5
    python examples/train_copy.py --delay 10 --epochs 40
    python examples/train_copy.py --backend mindspore      # the same code on the real MindSpore

The RNN reads 5 random symbols (alphabet of 8, one-hot), then `delay` blank steps, then a "go"
marker, and must write the 5 symbols back on the next 5 steps. The metric is the per-symbol accuracy
of the recall; guessing gives 1/8, the target is >= 99%.

Training uses MindSpore's nn.TrainOneStepCell(nn.WithLossCell(net, loss), optimizer) when the
framework has it, the shortest way MindSpore users write a training step.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tinygrad_rnn.tasks import Copy

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--backend", choices=["tinygrad", "mindspore"], default="tinygrad")
parser.add_argument("--delay", type=int, default=5, help="blank steps between reading and recalling")
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--steps", type=int, default=50, help="optimiser steps per epoch")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# ---- the only backend-specific lines ------------------------------------------------------------
if args.backend == "mindspore":
    import mindspore
    from mindspore import Tensor, nn
else:
    import tinygrad_rnn.mindspore as mindspore
    from tinygrad_rnn.mindspore import Tensor, nn
# ---- plain MindSpore from here on ---------------------------------------------------------------

K, A = 5, 8  # symbols to copy, alphabet size


class CopyNet(nn.Cell):
    """RNN over the whole sequence; a Dense layer reads the last K steps (the recall slots)."""

    def __init__(self, hidden: int):
        super().__init__()
        self.hidden = hidden
        self.rnn = nn.RNN(A + 2, hidden, batch_first=True)
        self.head = nn.Dense(hidden, A + 1)

    def construct(self, x):
        out, _ = self.rnn(x)
        recall = out[:, -K:]  # (batch, K, hidden)
        b = recall.shape[0]
        return self.head(recall.reshape(b * K, self.hidden))  # (batch * K, A + 1)


mindspore.set_seed(args.seed)
task = Copy(args.delay)
data = np.random.default_rng(args.seed)
net = CopyNet(hidden=64)
loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
optimizer = nn.Adam(net.trainable_params(), learning_rate=5e-3)
train_step = nn.TrainOneStepCell(nn.WithLossCell(net, loss_fn), optimizer)
x_val, y_val = task.val_set()

t0 = time.perf_counter()
for epoch in range(args.epochs):
    train_step.set_train(True)
    total = 0.0
    for _ in range(args.steps):
        x, y = task.batch(data, 64)
        loss = train_step(Tensor(x), Tensor(y.reshape(-1).astype(np.int32)))
        total += float(loss.asnumpy())
    net.set_train(False)
    pred = net(Tensor(x_val)).asnumpy().reshape(-1, K, A + 1)
    acc = float(np.mean(pred.argmax(-1) == y_val))
    print(f"epoch {epoch + 1:2d}  train loss {total / args.steps:.4f}  recall accuracy {acc:.4f}")

name, _, base = task.baseline()
print(
    f"\nbackend {args.backend}, delay {args.delay}: recall accuracy {acc:.4f} after {time.perf_counter() - t0:.1f} s"
)
print(
    f"baseline ({name}): {base:.4f}; target {task.target_text()}: {'reached' if task.reached(acc) else 'NOT reached'}"
)
raise SystemExit(0 if task.reached(acc) else 1)
