"""The adding problem (Hochreiter & Schmidhuber 1997) with a tanh RNN, written in PyTorch; runs on
tinygrad_rnn.torch.

    python examples/train_adding.py                       # tinygrad_rnn.torch, length 20
    python examples/train_adding.py --length 40 --epochs 100
    python examples/train_adding.py --backend torch       # the same code on the real PyTorch

Each sequence has two input channels: random values in [0, 1] and a marker that is 1 at exactly two
positions (one in each half). The target is the sum of the two marked values, read from the last
step. Predicting the mean sum (1.0) gives mse 1/6 ~ 0.167; the target is mse <= 0.01. A tanh RNN
sits on that plateau for a while before it "finds" the markers: expect the loss to stay near 0.16
for the first epochs, then drop. Longer sequences take longer to escape the plateau.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tinygrad_rnn.tasks import Adding

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--backend", choices=["tinygrad", "torch"], default="tinygrad")
parser.add_argument("--length", type=int, default=20, help="sequence length T")
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--steps", type=int, default=100, help="optimiser steps per epoch")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# ---- the only backend-specific lines ------------------------------------------------------------
if args.backend == "torch":
    import torch
    from torch import nn
else:
    import tinygrad_rnn.torch as torch
    from tinygrad_rnn.torch import nn
# ---- plain PyTorch from here on -----------------------------------------------------------------


class Adder(nn.Module):
    def __init__(self, hidden: int):
        super().__init__()
        self.rnn = nn.RNN(2, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        _, h_n = self.rnn(x)  # the last hidden state: (layers, batch, hidden)
        return self.head(h_n[-1])  # (batch, 1)


torch.manual_seed(args.seed)
task = Adding(args.length)
data = np.random.default_rng(args.seed)
model = Adder(hidden=64)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs, eta_min=1.5e-4)
loss_fn = nn.MSELoss()
x_val, y_val = task.val_set()
x_val, y_val = torch.from_numpy(x_val), torch.from_numpy(y_val[:, 0])

t0 = time.perf_counter()
for epoch in range(args.epochs):
    total = 0.0
    for _ in range(args.steps):
        x, y = task.batch(data, 64)
        loss = loss_fn(model(torch.from_numpy(x)), torch.from_numpy(y[:, 0]))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        total += loss.item()
    sched.step()
    with torch.no_grad():
        val = loss_fn(model(x_val), y_val).item()
    print(f"epoch {epoch + 1:2d}  train mse {total / args.steps:.4f}  validation mse {val:.4f}")

name, base, _ = task.baseline()
print(
    f"\nbackend {args.backend}, T={args.length}: validation mse {val:.4f} after {time.perf_counter() - t0:.1f} s"
)
print(
    f"baseline ({name}): {base:.4f}; target {task.target_text()}: {'reached' if task.reached(val) else 'NOT reached'}"
)
raise SystemExit(0 if task.reached(val) else 1)
