"""The PyTorch half of the code example on MindSpore's page "Differences with torch.nn.RNN", on
real torch or on tinygrad_rnn.torch.

    python examples/torch_seed_example.py                     # the same code, imports swapped
    python examples/torch_seed_example.py --backend torch     # real PyTorch, if installed

That page (MindSpore r2.3, "Differences with torch.nn.RNN") is where this project started; its
example is written on one line there, so SEED_SOURCE below lays it out as runnable code.
`swap_imports` changes only its import lines. The weights are
random, so the two backends print different numbers here; tests/test_torch_oracle.py loads real
torch's weights into ours and checks that the printed text is then identical.
"""

from __future__ import annotations

import argparse

SEED_SOURCE = """\
import torch
from torch import tensor
from torch import nn
import numpy as np

rnn = torch.nn.RNN(2, 3, 4, nonlinearity="relu", bias=False)
x = torch.tensor(np.array([[[3.0, 4.0]]]).astype(np.float32))
h_0 = torch.tensor(np.array([[[1.0, 2.0, 3]], [[3.0, 4.0, 5]], [[3.0, 4.0, 5]], [[3.0, 4.0, 5]]]).astype(np.float32))
output, hx_n = rnn(x, h_0)
print(output)
print(hx_n)
"""

# the only edits: the three import lines
IMPORT_SWAP = {
    "import torch": "import tinygrad_rnn.torch as torch",
    "from torch import tensor": "from tinygrad_rnn.torch import tensor",
    "from torch import nn": "from tinygrad_rnn.torch import nn",
}


def swap_imports(source: str) -> str:
    """The source with torch's import lines replaced by tinygrad_rnn.torch's (nothing else)."""
    return "\n".join(IMPORT_SWAP.get(line, line) for line in source.split("\n"))


def split_source(source: str) -> tuple[str, str]:
    """(setup, run): everything before the forward call, and the call plus the prints."""
    i = source.index("output, hx_n = rnn(x, h_0)")
    return source[:i], source[i:]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["tinygrad", "torch"], default="tinygrad")
    args = parser.parse_args(argv)
    source = SEED_SOURCE if args.backend == "torch" else swap_imports(SEED_SOURCE)
    exec(compile(source, f"seed_example[{args.backend}]", "exec"), {"__name__": "__seed__"})


if __name__ == "__main__":
    main()
