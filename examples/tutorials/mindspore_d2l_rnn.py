"""A character-level language model in the style of a textbook's RNN chapter (d2l-style concise
implementation: an `RNNModel` Cell wrapping an `nn.RNN` layer with `begin_state`), written for
MindSpore.

    python examples/tutorials/mindspore_d2l_rnn.py [--cell rnn|gru|lstm] [--init weights.npz]

The text (tinygrad_rnn/data's public-domain corpus) is reduced to lowercase letters and spaces and
read in consecutive minibatches, so the state is carried from one minibatch to the next (the
auxiliary output of `value_and_grad`) and cut from its graph with `ops.stop_gradient`. Gradients are
clipped by their global norm by hand. The script prints the loss per step, the perplexity per epoch
and a greedy continuation of a prefix. `--init` loads initial weights from an .npz (as
`--save-init` writes) with `load_param_into_net`.
"""

import argparse
import collections
import math
import os
import random
import re

import mindspore
import numpy as np
from mindspore import nn, ops

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


def seq_data_iter_sequential(corpus, batch_size, num_steps):
    """Consecutive minibatches: batch row b of one minibatch continues in row b of the next."""
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = mindspore.Tensor(corpus[offset : offset + num_tokens], mindspore.int32)
    Ys = mindspore.Tensor(corpus[offset + 1 : offset + 1 + num_tokens], mindspore.int32)
    Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i : i + num_steps], Ys[:, i : i + num_steps]


class RNNModel(nn.Cell):
    """An RNN layer plus a dense output layer over one-hot inputs."""

    def __init__(self, rnn_layer, vocab_size):
        super().__init__()
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.num_directions = 2 if self.rnn.bidirectional else 1
        self.linear = nn.Dense(self.num_hiddens * self.num_directions, self.vocab_size)

    def construct(self, inputs, state):
        X = ops.one_hot(inputs.T, self.vocab_size, 1.0, 0.0)
        Y, state = self.rnn(X, state)
        # (num_steps * batch_size, num_hiddens) -> (num_steps * batch_size, vocab_size)
        output = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state

    def begin_state(self, batch_size=1):
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if not isinstance(self.rnn, nn.LSTM):
            return ops.zeros(shape, mindspore.float32)
        return (ops.zeros(shape, mindspore.float32), ops.zeros(shape, mindspore.float32))


def grad_clipping(grads, theta):
    norm = ops.sqrt(sum(ops.sum(g**2) for g in grads))
    if norm > theta:
        grads = tuple(g * theta / norm for g in grads)
    return grads


def predict(prefix, num_preds, net, vocab):
    state = net.begin_state(batch_size=1)
    outputs = [vocab[prefix[0]]]

    def get_input():
        return mindspore.Tensor([outputs[-1]], mindspore.int32).reshape((1, 1))

    for y in prefix[1:]:  # warm-up: run the prefix through, keep its state
        _, state = net(get_input(), state)
        outputs.append(vocab[y])
    for _ in range(num_preds):
        y, state = net(get_input(), state)
        outputs.append(int(y.argmax(axis=1).reshape(1)))
    return "".join(vocab.idx_to_token[i] for i in outputs)


def train_epoch(net, corpus, grad_fn, optimizer, batch_size, num_steps, step):
    state = None
    total, count = 0.0, 0
    for X, Y in seq_data_iter_sequential(corpus, batch_size, num_steps):
        if state is None:
            state = net.begin_state(batch_size=X.shape[0])
        elif isinstance(state, tuple):  # LSTM: (h, c)
            state = tuple(ops.stop_gradient(s) for s in state)
        else:  # the state carries the last step's graph: cut it, as torch's detach_() does
            state = ops.stop_gradient(state)
        y = Y.T.reshape(-1)
        (l, state), grads = grad_fn(X, y, state)
        grads = grad_clipping(grads, 1)
        optimizer(grads)
        print(f"step {step} loss {l.asnumpy().item():.9g}")
        step += 1
        total += float(l) * y.size
        count += y.size
    return math.exp(total / count), step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(DATA, "public_domain.txt"))
    parser.add_argument("--cell", default="rnn", choices=["rnn", "gru", "lstm"])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--max-chars", type=int, default=10000)
    parser.add_argument("--init", help="an .npz of initial weights (parameter names)")
    parser.add_argument("--save-init", help="write the freshly built model's weights here and exit")
    args = parser.parse_args()

    random.seed(0)
    mindspore.set_seed(0)
    batch_size, num_steps, num_hiddens = 16, 35, 64
    text = read_text(args.data, args.max_chars)
    vocab = Vocab(list(text))
    corpus = vocab[list(text)]
    layer = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[args.cell](len(vocab), num_hiddens)
    net = RNNModel(layer, vocab_size=len(vocab))
    if args.save_init:
        np.savez(args.save_init, **{k: v.asnumpy() for k, v in net.parameters_dict().items()})
        return
    if args.init:
        params = {k: mindspore.Parameter(mindspore.Tensor(v), name=k) for k, v in np.load(args.init).items()}
        mindspore.load_param_into_net(net, params)

    loss_fn = nn.CrossEntropyLoss()
    optimizer = nn.SGD(net.trainable_params(), learning_rate=args.lr)

    def forward_fn(X, y, state):
        y_hat, state = net(X, state)
        return loss_fn(y_hat, y), state

    grad_fn = mindspore.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)
    step = 0
    for epoch in range(args.epochs):
        ppl, step = train_epoch(net, corpus, grad_fn, optimizer, batch_size, num_steps, step)
        print(f"epoch {epoch} perplexity {ppl:.6f}")
    print("predict:", predict("alice ", 30, net, vocab))


if __name__ == "__main__":
    main()
