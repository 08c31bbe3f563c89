"""Next-step prediction of sine waves with an RNN, written in PyTorch; runs on tinygrad_rnn.torch.

    python examples/train_sine.py                    # tinygrad_rnn.torch (the default)
    python examples/train_sine.py --backend torch    # the very same code on the real PyTorch

Only the import block below depends on the backend: it binds the name `torch` to one module or the
other. The weights start from the same numpy draw and the batches come from the same numpy
generator, so both backends follow the same curve (up to float32 rounding) and reach the target:
validation mse <= 1e-3, against 0.088 for the trivial "repeat the last value" baseline.

The data (tinygrad_rnn.tasks.Sine): waves of random amplitude (0.5-1.5), period (8-32 steps) and
phase; the model reads 40 values and predicts each next one; the first 8 steps are not scored.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from tinygrad_rnn.tasks import Sine

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--backend", choices=["tinygrad", "torch"], default="tinygrad")
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--steps", type=int, default=40, help="optimiser steps per epoch")
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


class NextStep(nn.Module):
    def __init__(self, hidden: int):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)  # (batch, time, hidden)
        return self.head(out)  # (batch, time, 1)


def numpy_init(model, seed):
    """U(-1/sqrt(fan), 1/sqrt(fan)) from numpy: the same starting weights on every backend."""
    rng = np.random.default_rng(seed)
    sd = {}
    for name, p in model.state_dict().items():
        fan = (
            model.rnn.hidden_size
            if name.startswith("rnn")
            else p.shape[-1]
            if p.ndim == 2
            else model.head.in_features
        )
        k = 1 / math.sqrt(fan)
        sd[name] = torch.from_numpy(rng.uniform(-k, k, tuple(p.shape)).astype(np.float32))
    model.load_state_dict(sd)


task = Sine()
data = np.random.default_rng(args.seed)
model = NextStep(hidden=32)
numpy_init(model, args.seed)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs, eta_min=5e-4)
loss_fn = nn.MSELoss()
x_val, y_val = (torch.from_numpy(a) for a in task.val_set())

t0 = time.perf_counter()
for epoch in range(args.epochs):
    total = 0.0
    for _ in range(args.steps):
        x, y = task.batch(data, 32)
        pred = model(torch.from_numpy(x))[:, task.burn_in :]  # score after the burn-in
        loss = loss_fn(pred, torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        total += loss.item()
    sched.step()
    with torch.no_grad():
        val = loss_fn(model(x_val)[:, task.burn_in :], y_val).item()
    print(f"epoch {epoch + 1:2d}  train mse {total / args.steps:.5f}  validation mse {val:.5f}")

name, base, _ = task.baseline()
print(f"\nbackend {args.backend}: validation mse {val:.5f} after {time.perf_counter() - t0:.1f} s")
print(
    f"baseline ({name}): {base:.4f}; target {task.target_text()}: {'reached' if task.reached(val) else 'NOT reached'}"
)
raise SystemExit(0 if task.reached(val) else 1)
