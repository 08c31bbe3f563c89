"""Classify surnames by language with a character-level RNN (the char-RNN name classification kind
of tutorial), written for MindSpore.

    python examples/tutorials/mindspore_name_classifier.py [--init weights.npz] [--save-init out.npz]

Each name becomes a (length, 1, n_letters) one-hot tensor filled by item assignment; nn.RNN reads
it, the last hidden state goes through nn.Dense and nn.LogSoftmax, and nn.NLLLoss scores it.
Gradients come from `value_and_grad`, are clipped with `ops.clip_by_global_norm` and applied by
nn.SGD. The order of the names comes from Python's `random` with a fixed seed, so only the initial
weights differ between runs; `--init` loads them from an .npz (as `--save-init` writes).
"""

import argparse
import random
import string
import unicodedata

import mindspore
import numpy as np
from mindspore import nn, ops

NAMES = {
    "English": ["Smith", "Johnson", "Williams", "Brown", "Taylor", "Wilson", "Davies", "Evans"],
    "Italian": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"],
    "Japanese": ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"],
    "German": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Schäfer", "Köhler", "Wagner"],
}
ALL_LETTERS = string.ascii_letters + " .,;'"
N_LETTERS = len(ALL_LETTERS)
CATEGORIES = list(NAMES)


def unicode_to_ascii(s):
    # "Müller" -> "Muller": drop the combining marks left by NFD decomposition
    return "".join(
        c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn" and c in ALL_LETTERS
    )


def line_to_tensor(line):
    tensor = ops.zeros((len(line), 1, N_LETTERS), mindspore.float32)
    for li, letter in enumerate(line):
        tensor[li, 0, ALL_LETTERS.find(letter)] = 1
    return tensor


class CharRNN(nn.Cell):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
        self.h2o = nn.Dense(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(axis=1)

    def construct(self, line_tensor):
        rnn_out, hidden = self.rnn(line_tensor)
        output = self.h2o(hidden[0])
        return self.softmax(output)


def category_from_output(output):
    top_n, top_i = ops.topk(output, 1)
    return CATEGORIES[top_i[0].item()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--init", help="an .npz of initial weights (parameter names)")
    parser.add_argument("--save-init", help="write the freshly built model's weights here and exit")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.5)
    args = parser.parse_args()

    mindspore.set_seed(0)
    model = CharRNN(N_LETTERS, 32, len(CATEGORIES))
    if args.save_init:
        np.savez(args.save_init, **{k: v.asnumpy() for k, v in model.parameters_dict().items()})
        return
    if args.init:
        params = {k: mindspore.Parameter(mindspore.Tensor(v), name=k) for k, v in np.load(args.init).items()}
        mindspore.load_param_into_net(model, params)

    examples = [(unicode_to_ascii(n), c) for c in CATEGORIES for n in NAMES[c]]
    criterion = nn.NLLLoss()
    optimizer = nn.SGD(model.trainable_params(), learning_rate=args.lr)

    def forward_fn(batch):
        loss = 0
        for line_tensor, target in batch:
            loss = loss + criterion(model(line_tensor), target)
        return loss / len(batch)

    grad_fn = mindspore.value_and_grad(forward_fn, None, optimizer.parameters)
    rng = random.Random(0)
    step = 0
    for _ in range(args.epochs):
        rng.shuffle(examples)
        for start in range(0, len(examples), args.batch_size):
            batch = [
                (line_to_tensor(name), mindspore.Tensor([CATEGORIES.index(category)], mindspore.int32))
                for name, category in examples[start : start + args.batch_size]
            ]
            loss, grads = grad_fn(batch)
            grads = ops.clip_by_global_norm(grads, 3.0)
            optimizer(grads)
            print(f"step {step} loss {loss.item():.9g}")
            step += 1

    model.set_train(False)
    correct = sum(
        category_from_output(model(line_to_tensor(name))) == category for name, category in examples
    )
    print(f"accuracy {correct / len(examples):.4f}")
    print("guess Rossini:", category_from_output(model(line_to_tensor("Rossini"))))


if __name__ == "__main__":
    main()
