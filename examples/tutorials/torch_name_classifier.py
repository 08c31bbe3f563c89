"""Classify surnames by language with a character-level RNN (the char-RNN name classification kind
of tutorial), written for PyTorch.

    python examples/tutorials/torch_name_classifier.py [--init weights.npz] [--save-init out.npz]

Each name becomes a (length, 1, n_letters) one-hot tensor; nn.RNN reads it, the last hidden state
goes through nn.Linear and nn.LogSoftmax, and nn.NLLLoss scores it. The parameters are updated by
hand with `p.data.add_(p.grad.data, alpha=-lr)`, as the older tutorials do. The order of the names
comes from Python's `random` with a fixed seed, so only the initial weights differ between runs;
`--init` loads them from an .npz (as written by `--save-init`).
"""

import argparse
import random
import string
import unicodedata

import numpy as np
import torch
import torch.nn as nn

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
    tensor = torch.zeros(len(line), 1, N_LETTERS)
    for li, letter in enumerate(line):
        tensor[li][0][ALL_LETTERS.find(letter)] = 1
    return tensor


class CharRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, line_tensor):
        rnn_out, hidden = self.rnn(line_tensor)
        output = self.h2o(hidden[0])
        return self.softmax(output)


def category_from_output(output):
    top_n, top_i = output.topk(1)
    return CATEGORIES[top_i[0].item()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--init", help="an .npz of initial weights (state_dict names)")
    parser.add_argument("--save-init", help="write the freshly built model's weights here and exit")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.5)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = CharRNN(N_LETTERS, 32, len(CATEGORIES))
    if args.save_init:
        np.savez(args.save_init, **{k: v.numpy() for k, v in model.state_dict().items()})
        return
    if args.init:
        model.load_state_dict({k: torch.tensor(v) for k, v in np.load(args.init).items()})

    examples = [(unicode_to_ascii(n), c) for c in CATEGORIES for n in NAMES[c]]
    criterion = nn.NLLLoss()
    rng = random.Random(0)
    step = 0
    for _ in range(args.epochs):
        rng.shuffle(examples)
        for start in range(0, len(examples), args.batch_size):
            batch_loss = 0
            for name, category in examples[start : start + args.batch_size]:
                target = torch.tensor([CATEGORIES.index(category)], dtype=torch.long)
                output = model(line_to_tensor(name))
                batch_loss += criterion(output, target)
            batch_loss = batch_loss / args.batch_size
            model.zero_grad()
            batch_loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 3)
            for p in model.parameters():
                p.data.add_(p.grad.data, alpha=-args.lr)
            print(f"step {step} loss {batch_loss.item():.9g}")
            step += 1

    correct = 0
    with torch.no_grad():
        for name, category in examples:
            correct += category_from_output(model(line_to_tensor(name))) == category
    print(f"accuracy {correct / len(examples):.4f}")
    print("guess Rossini:", category_from_output(model(line_to_tensor("Rossini"))))


if __name__ == "__main__":
    main()
