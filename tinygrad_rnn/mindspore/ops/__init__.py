"""mindspore.ops: the functional ops and primitives an RNN script reaches for, on the core's ops.

Laid out as MindSpore lays out its own ops package, and re-exported here:

- ``function`` (``array_func``, ``math_func``, ``nn_func``, ``clip_func``): the functions, taking
  MindSpore's argument names (``ops.sum(input, dim=None, keepdim=False)``, ``ops.mean(x, axis=None,
  keep_dims=False)``, ``ops.concat(tensors, axis=0)`` ...);
- ``operations`` on ``primitive.Primitive``: classes configured at construction and applied by calling
  (``ops.ReduceSum(keep_dims=False)(x, axis)``, ``ops.MatMul(transpose_b=True)(a, b)``);
- ``composite``: the autodiff transforms (grad, value_and_grad, GradOperation, vjp, jacrev, jacfwd) and
  get_grad; ``vmap``: the batched map.

All are differentiable through the core tape.
"""

from __future__ import annotations

from ..common.tensor import Tensor
from . import function, operations
from .composite import (
    GradOperation,
    get_grad,
    grad,
    jacfwd,
    jacrev,
    value_and_grad,
    vjp,
)
from .function import *  # noqa: F403  (exactly function.__all__)
from .operations import *  # noqa: F403  (exactly operations.__all__)
from .primitive import Primitive
from .vmap import vmap

# one list per family module; only the names defined outside them are written here
__all__ = [
    *function.__all__,
    *operations.__all__,
    "GradOperation",
    "get_grad",
    "grad",
    "jacfwd",
    "jacrev",
    "value_and_grad",
    "vjp",
    "vmap",
    "Primitive",
    "Tensor",
]
