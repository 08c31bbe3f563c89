"""The MindSpore half of the seed's "Code Example 1" (MindSpore's "Differences with torch.nn.RNN" page),
run on tinygrad_rnn: only the import lines differ from the seed's code.

    python examples/mindspore_seed_example.py

The weights are random (drawn from numpy's global generator, as real MindSpore draws them), so the printed
numbers change from run to run; with the same weights real MindSpore prints the same numbers
(tests/test_mindspore_oracle.py::test_seed_example_* checks that).
"""

import numpy as np

import tinygrad_rnn.mindspore as mindspore  # noqa: F401  (the seed imports it too)
import tinygrad_rnn.mindspore.nn as nn
from tinygrad_rnn.mindspore import Tensor

rnn = nn.RNN(2, 3, 4, nonlinearity="relu", has_bias=False)
x = Tensor(np.array([[[3.0, 4.0]]]).astype(np.float32))
h_0 = Tensor(
    np.array([[[1.0, 2.0, 3]], [[3.0, 4.0, 5]], [[3.0, 4.0, 5]], [[3.0, 4.0, 5]]]).astype(np.float32)
)
output, hx_n = rnn(x, h_0)
print(output)
print(hx_n)
