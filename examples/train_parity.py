"""Parity (running XOR) of bit strings with an RNN, written in MindSpore; runs on
tinygrad_rnn.mindspore.

    python examples/train_parity.py                          # tinygrad_rnn.mindspore
    python examples/train_parity.py --length 24
    python examples/train_parity.py --backend mindspore      # the same code on the real MindSpore

The RNN reads a random bit string one bit per step and, at every step, outputs the parity (XOR) of
the bits so far: 2 classes per step, SoftmaxCrossEntropyWithLogits. The metric is the accuracy of
the whole string's parity (the last step); guessing gives 50%, the target is >= 99%.

MindSpore's way of training: a loss function of the inputs, `value_and_grad` over the optimiser's
parameters, `ops.clip_by_value` on every gradient, then `optimizer(grads)` applies the update.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tinygrad_rnn.tasks import Parity

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--backend", choices=["tinygrad", "mindspore"], default="tinygrad")
parser.add_argument("--length", type=int, default=16, help="bits per string")
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--steps", type=int, default=40, help="optimiser steps per epoch")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# ---- the only backend-specific lines ------------------------------------------------------------
if args.backend == "mindspore":
    import mindspore
    from mindspore import Tensor, nn, ops
else:
    import tinygrad_rnn.mindspore as mindspore
    from tinygrad_rnn.mindspore import Tensor, nn, ops
# ---- plain MindSpore from here on ---------------------------------------------------------------


class ParityNet(nn.Cell):
    def __init__(self, hidden: int):
        super().__init__()
        self.hidden = hidden
        self.rnn = nn.RNN(1, hidden, batch_first=True)
        self.head = nn.Dense(hidden, 2)

    def construct(self, x):
        out, _ = self.rnn(x)  # (batch, time, hidden)
        b, t, _ = out.shape
        return self.head(out.reshape(b * t, self.hidden)).reshape(b, t, 2)


mindspore.set_seed(args.seed)
task = Parity(args.length)
data = np.random.default_rng(args.seed)
net = ParityNet(hidden=32)
loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
optimizer = nn.Adam(net.trainable_params(), learning_rate=1e-2)


def forward(x, y):
    logits = net(x)
    return loss_fn(logits.reshape(-1, 2), y.reshape(-1))


grad_fn = mindspore.value_and_grad(forward, None, optimizer.parameters)
x_val, y_val = task.val_set()

t0 = time.perf_counter()
for epoch in range(args.epochs):
    net.set_train(True)
    total = 0.0
    for _ in range(args.steps):
        x, y = task.batch(data, 32)
        loss, grads = grad_fn(Tensor(x), Tensor(y.astype(np.int32)))
        optimizer(tuple(ops.clip_by_value(g, -1.0, 1.0) for g in grads))  # clip each gradient entry
        total += float(loss.asnumpy())
    net.set_train(False)
    pred = net(Tensor(x_val)).asnumpy()
    acc = float(np.mean(pred[:, -1].argmax(-1) == y_val[:, -1]))
    print(f"epoch {epoch + 1:2d}  train loss {total / args.steps:.4f}  validation accuracy {acc:.4f}")

name, _, base = task.baseline()
print(
    f"\nbackend {args.backend}, {args.length} bits: validation accuracy {acc:.4f} after {time.perf_counter() - t0:.1f} s"
)
print(
    f"baseline ({name}): {base:.4f}; target {task.target_text()}: {'reached' if task.reached(acc) else 'NOT reached'}"
)
raise SystemExit(0 if task.reached(acc) else 1)
