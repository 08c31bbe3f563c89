"""tinygrad_rnn: a small numpy autodiff framework for learning how RNNs and backprop really work."""

from . import functional, ops
from ._malloc import keep_freed_memory
from .random import manual_seed
from .tape import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor, grad, ones, tensor, zeros

__version__ = "0.1.0"

# Large arrays of the same sizes are freed and allocated at every forward/backward: keep the
# freed memory instead of page-faulting it back in at each call (see _malloc.py).
MALLOC_TUNED = keep_freed_memory()

__all__ = [
    "Tensor",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "grad",
    "is_grad_enabled",
    "manual_seed",
    "no_grad",
    "ones",
    "ops",
    "set_grad_enabled",
    "tensor",
    "zeros",
]
