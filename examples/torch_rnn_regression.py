"""Sequence regression with a 2-layer RNN, written for PyTorch; runs unchanged on tinygrad_rnn.torch.

    python examples/torch_rnn_regression.py                      # tinygrad_rnn.torch
    python examples/torch_rnn_regression.py --backend torch      # real PyTorch, if installed

Only the import block below depends on the backend; everything after it is ordinary PyTorch code
(a Module with an RNN over packed variable-length sequences, Adam, gradient clipping, no_grad,
save / load of the state_dict). Weights and data come from numpy with a fixed seed, so both backends
start from the same numbers and print the same losses (to float32 rounding).

The task: for each noisy sine sequence of random length, predict at every step the mean of the
inputs seen so far.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import numpy as np

_parser = argparse.ArgumentParser(description="RNN regression on torch or tinygrad_rnn.torch")
_parser.add_argument(
    "--backend", choices=["tinygrad", "torch"], default=os.environ.get("TORCH_BACKEND", "tinygrad")
)
_parser.add_argument("--epochs", type=int, default=60)
_args, _ = _parser.parse_known_args(sys.argv[1:] if __name__ == "__main__" else [])
BACKEND = _args.backend

# ---- the only backend-specific lines ------------------------------------------------------------
if BACKEND == "tinygrad":
    import tinygrad_rnn.torch as torch
    from tinygrad_rnn.torch import nn
    from tinygrad_rnn.torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
else:
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
# ---- plain PyTorch from here on -----------------------------------------------------------------


class Regressor(nn.Module):
    def __init__(self, hidden: int = 12):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, h_n = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return self.head(out).squeeze(-1)


def make_data(rng: np.random.Generator, n: int = 16, max_len: int = 10):
    lengths = rng.integers(3, max_len + 1, size=n)
    x = np.zeros((n, max_len, 1), np.float32)
    y = np.zeros((n, max_len), np.float32)
    mask = np.zeros((n, max_len), np.float32)
    for i, L in enumerate(lengths):
        phase = rng.uniform(0, 2 * np.pi)
        seq = np.sin(phase + 0.6 * np.arange(L)) + 0.1 * rng.standard_normal(L)
        x[i, :L, 0] = seq
        y[i, :L] = np.cumsum(seq) / np.arange(1, L + 1)
        mask[i, :L] = 1
    return torch.tensor(x), torch.tensor(y), torch.tensor(mask), lengths.tolist()


def init_weights(model: nn.Module, rng: np.random.Generator) -> None:
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-0.3, 0.3, size=tuple(p.shape)).astype(np.float32)))


def main(epochs: int = 60) -> list[float]:
    rng = np.random.default_rng(0)
    x, y, mask, lengths = make_data(rng)
    model = Regressor()
    init_weights(model, rng)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for epoch in range(epochs):
        opt.zero_grad()
        pred = model(x, lengths)
        loss = ((pred - y) ** 2 * mask).sum() / mask.sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        if epoch % 10 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:3d}  loss {loss.item():.6f}")

    # save, reload into a fresh model, evaluate without recording a graph
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "regressor.pt")
        torch.save(model.state_dict(), path)
        fresh = Regressor()
        fresh.load_state_dict(torch.load(path))
    fresh.eval()
    with torch.no_grad():
        final = (((fresh(x, lengths) - y) ** 2 * mask).sum() / mask.sum()).item()
    print(f"reloaded model loss {final:.6f}")
    return losses


if __name__ == "__main__":
    main(_args.epochs)
