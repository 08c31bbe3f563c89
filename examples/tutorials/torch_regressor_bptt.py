"""Predict cos(t) from sin(t) with an RNN, one window at a time, carrying the hidden state across
windows and cutting backpropagation at each window with `.data` (the sequence-regression kind of
tutorial), written for PyTorch.

    python examples/tutorials/torch_regressor_bptt.py [--init weights.npz] [--save-init out.npz]

Each step feeds the next window of the signal; `h_state = h_state.data` keeps the state's values
but drops its history, so the backward pass stops at the window's start (truncated BPTT). The
evaluation carries the state with `.detach()` instead and reads predictions through
`.data.numpy()`. `--init` loads initial weights from an .npz (as `--save-init` writes).
"""

import argparse

import numpy as np
import torch
from torch import nn

TIME_STEP = 10
INPUT_SIZE = 1


class RNN(nn.Module):
    def __init__(self, hidden_size=32):
        super().__init__()
        self.rnn = nn.RNN(input_size=INPUT_SIZE, hidden_size=hidden_size, num_layers=1, batch_first=True)
        self.out = nn.Linear(hidden_size, 1)

    def forward(self, x, h_state):
        # x (batch, time_step, input_size), h_state (n_layers, batch, hidden_size)
        r_out, h_state = self.rnn(x, h_state)
        outs = []
        for time_step in range(r_out.size(1)):
            outs.append(self.out(r_out[:, time_step, :]))
        return torch.stack(outs, dim=1), h_state


def window(step):
    start, end = step * np.pi, (step + 1) * np.pi
    steps = np.linspace(start, end, TIME_STEP, dtype=np.float32, endpoint=False)
    x = torch.from_numpy(np.sin(steps)[np.newaxis, :, np.newaxis])
    y = torch.from_numpy(np.cos(steps)[np.newaxis, :, np.newaxis])
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--init", help="an .npz of initial weights (state_dict names)")
    parser.add_argument("--save-init", help="write the freshly built model's weights here and exit")
    args = parser.parse_args()

    torch.manual_seed(1)
    rnn = RNN()
    if args.save_init:
        np.savez(args.save_init, **{k: v.detach().numpy() for k, v in rnn.state_dict().items()})
        return
    if args.init:
        rnn.load_state_dict({k: torch.tensor(v) for k, v in np.load(args.init).items()})
    optimizer = torch.optim.Adam(rnn.parameters(), lr=args.lr)
    loss_func = nn.MSELoss()

    h_state = None  # the RNN starts from zeros
    for step in range(args.steps):
        x, y = window(step)
        prediction, h_state = rnn(x, h_state)
        h_state = h_state.data  # keep the values, cut the graph: the next window starts here
        loss = loss_func(prediction, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        print(f"step {step} loss {loss.item():.9g}")

    # continue the signal for a few windows without training
    h_state = h_state.detach()
    errors = []
    for step in range(args.steps, args.steps + 5):
        x, y = window(step)
        prediction, h_state = rnn(x, h_state)
        h_state = h_state.detach()
        errors.append(np.abs(prediction.data.numpy() - y.numpy()).max())
    print(f"held-out max error {max(errors):.6f}")


if __name__ == "__main__":
    main()
