"""A character-level language model in the style of a textbook's RNN chapter (d2l-style concise
implementation: an `RNNModel` wrapping an `nn.RNN` layer with `begin_state`), written for PyTorch.

    python examples/tutorials/torch_d2l_rnn.py [--cell rnn|gru|lstm] [--init weights.npz]

The text (tinygrad_rnn/data's public-domain corpus) is reduced to lowercase letters and spaces and
read in consecutive minibatches, so the state is carried from one minibatch to the next and
detached in place (`state.detach_()`). Gradients are clipped by hand (`param.grad[:] *= ...`). The
script prints the loss per step, the perplexity per epoch and a greedy continuation of a prefix.
`--init` loads initial weights from an .npz (as `--save-init` writes).
"""

import argparse
import collections
import math
import os
import random
import re

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tinygrad_rnn", "data")


def read_text(path, max_chars):
    with open(path, encoding="utf8") as f:
        lines = f.readlines()
    text = " ".join(re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in lines)
    return text[:max_chars]


class Vocab:
    """Characters, most frequent first, with '<unk>' at index 0."""

    def __init__(self, tokens):
        counter = collections.Counter(tokens)
        self.token_freqs = sorted(counter.items(), key=lambda x: (-x[1], x[0]))
        self.idx_to_token = ["<unk>"] + [token for token, _ in self.token_freqs]
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, 0)
        return [self.__getitem__(token) for token in tokens]

    def to_tokens(self, indices):
        return [self.idx_to_token[index] for index in indices]


def seq_data_iter_sequential(corpus, batch_size, num_steps):
    """Consecutive minibatches: batch row b of one minibatch continues in row b of the next."""
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset : offset + num_tokens])
    Ys = torch.tensor(corpus[offset + 1 : offset + 1 + num_tokens])
    Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i : i + num_steps], Ys[:, i : i + num_steps]


class RNNModel(nn.Module):
    """An RNN layer plus a dense output layer over one-hot inputs."""

    def __init__(self, rnn_layer, vocab_size, **kwargs):
        super().__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.num_directions = 2 if self.rnn.bidirectional else 1
        self.linear = nn.Linear(self.num_hiddens * self.num_directions, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size)
        X = X.to(torch.float32)
        Y, state = self.rnn(X, state)
        # (num_steps * batch_size, num_hiddens) -> (num_steps * batch_size, vocab_size)
        output = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state

    def begin_state(self, device, batch_size=1):
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if not isinstance(self.rnn, nn.LSTM):
            return torch.zeros(shape, device=device)
        return (torch.zeros(shape, device=device), torch.zeros(shape, device=device))


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad]
    norm = torch.sqrt(sum(torch.sum(p.grad**2) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


def predict(prefix, num_preds, net, vocab, device):
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]

    def get_input():
        return torch.tensor([outputs[-1]], device=device).reshape((1, 1))

    for y in prefix[1:]:  # warm-up: run the prefix through, keep its state
        _, state = net(get_input(), state)
        outputs.append(vocab[y])
    for _ in range(num_preds):
        y, state = net(get_input(), state)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return "".join(vocab.idx_to_token[i] for i in outputs)


def train_epoch(net, corpus, loss, updater, batch_size, num_steps, device, step):
    state = None
    total, count = 0.0, 0
    for X, Y in seq_data_iter_sequential(corpus, batch_size, num_steps):
        if state is None:
            state = net.begin_state(batch_size=X.shape[0], device=device)
        elif isinstance(net, nn.Module) and not isinstance(state, tuple):
            state.detach_()  # GRU / RNN: one tensor
        else:
            for s in state:  # LSTM: (h, c)
                s.detach_()
        y = Y.T.reshape(-1)
        X, y = X.to(device), y.to(device)
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()
        updater.zero_grad()
        l.backward()
        grad_clipping(net, 1)
        updater.step()
        print(f"step {step} loss {l.item():.9g}")
        step += 1
        total += l.item() * y.numel()
        count += y.numel()
    return math.exp(total / count), step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(DATA, "public_domain.txt"))
    parser.add_argument("--cell", default="rnn", choices=["rnn", "gru", "lstm"])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--max-chars", type=int, default=10000)
    parser.add_argument("--init", help="an .npz of initial weights (state_dict names)")
    parser.add_argument("--save-init", help="write the freshly built model's weights here and exit")
    args = parser.parse_args()

    random.seed(0)
    torch.manual_seed(0)
    device = torch.device("cpu")
    batch_size, num_steps, num_hiddens = 16, 35, 64
    text = read_text(args.data, args.max_chars)
    vocab = Vocab(list(text))
    corpus = vocab[list(text)]
    layer = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[args.cell](len(vocab), num_hiddens)
    net = RNNModel(layer, vocab_size=len(vocab)).to(device)
    if args.save_init:
        np.savez(args.save_init, **{k: v.numpy() for k, v in net.state_dict().items()})
        return
    if args.init:
        net.load_state_dict({k: torch.tensor(v) for k, v in np.load(args.init).items()})

    loss = nn.CrossEntropyLoss()
    updater = torch.optim.SGD(net.parameters(), args.lr)
    step = 0
    for epoch in range(args.epochs):
        ppl, step = train_epoch(net, corpus, loss, updater, batch_size, num_steps, device, step)
        print(f"epoch {epoch} perplexity {ppl:.6f}")
    print("predict:", predict("alice ", 30, net, vocab, device))


if __name__ == "__main__":
    main()
