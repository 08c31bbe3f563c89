"""The MindSpore half of the code example on MindSpore's page "Differences with torch.nn.RNN", on
real MindSpore or on tinygrad_rnn.mindspore.

    python examples/mindspore_seed_example.py                        # tinygrad_rnn.mindspore
    python examples/mindspore_seed_example.py --backend mindspore    # real MindSpore

That page (MindSpore r2.3, "Differences with torch.nn.RNN") is where this project started; its
example is written on one line there, so SEED_SOURCE below lays it out as runnable code.
`swap_imports` changes only its import lines. The weights are random (drawn from numpy's global
generator, as real MindSpore draws them), so the printed numbers change from run to run; with the
same weights real MindSpore prints the same numbers (tests/test_mindspore_oracle.py checks that).
"""

from __future__ import annotations

import argparse

SEED_SOURCE = """\
import mindspore
from mindspore import Tensor
import mindspore.nn as nn
import numpy as np

rnn = nn.RNN(2, 3, 4, nonlinearity="relu", has_bias=False)
x = Tensor(np.array([[[3.0, 4.0]]]).astype(np.float32))
h_0 = Tensor(np.array([[[1.0, 2.0, 3]], [[3.0, 4.0, 5]], [[3.0, 4.0, 5]], [[3.0, 4.0, 5]]]).astype(np.float32))
output, hx_n = rnn(x, h_0)
print(output)
print(hx_n)
"""

# the only edits: the three MindSpore import lines
IMPORT_SWAP = {
    "import mindspore": "import tinygrad_rnn.mindspore as mindspore",
    "from mindspore import Tensor": "from tinygrad_rnn.mindspore import Tensor",
    "import mindspore.nn as nn": "import tinygrad_rnn.mindspore.nn as nn",
}


def swap_imports(source: str) -> str:
    """The source with MindSpore's import lines replaced by tinygrad_rnn.mindspore's (nothing else)."""
    return "\n".join(IMPORT_SWAP.get(line, line) for line in source.split("\n"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["tinygrad", "mindspore"], default="tinygrad")
    args = parser.parse_args(argv)
    source = SEED_SOURCE if args.backend == "mindspore" else swap_imports(SEED_SOURCE)
    exec(compile(source, f"seed_example[{args.backend}]", "exec"), {"__name__": "__seed__"})


if __name__ == "__main__":
    main()
