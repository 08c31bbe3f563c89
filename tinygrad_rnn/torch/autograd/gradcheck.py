"""torch.autograd.gradcheck / gradgradcheck: the core's finite-difference checks, torch's signatures.

fast_mode (torch's random-projection check v^T J u) and check_batched_grad (a loop over a batch of
random grad_outputs, where torch vmaps) are implemented; the options the core does not implement
(forward-mode checks, nondet_tol, ...) are accepted at their defaults only.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from ... import gradcheck as _gc

GradcheckError = _gc.GradcheckError

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


def _only_defaults(**given: Any) -> None:
    defaults = dict(
        nondet_tol=0.0,
        check_undefined_grad=True,
        check_grad_dtypes=False,
        check_batched_forward_grad=False,
        check_forward_ad=False,
        check_backward_ad=True,
        masked=None,
        gen_non_contig_grad_outputs=False,
        check_fwd_over_rev=False,
        check_rev_over_rev=True,
    )
    for k, v in given.items():
        if k in defaults and v != defaults[k] and not (k == "masked" and v is False):
            raise NotImplementedError(f"tinygrad_rnn.torch gradcheck: {k}={v!r} is not supported")


@contextlib.contextmanager
def _torch_warning_text() -> Iterator[None]:
    """Re-issue the core's precision warning with torch's exact text (which ends in a space)."""
    pending: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield
            finally:
                pending = list(caught)
    finally:  # also when the check fails: torch warns before it raises
        for w in pending:
            msg = str(w.message)
            if msg.startswith("Input #") and not msg.endswith(" "):
                msg += " "
            warnings.warn(msg, w.category, stacklevel=4)


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-06,
    atol: float = 1e-05,
    rtol: float = 0.001,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Compare backward's Jacobian with central differences (fast_mode: random projections v^T J u)."""
    _only_defaults(
        nondet_tol=nondet_tol,
        check_grad_dtypes=check_grad_dtypes,
        check_batched_forward_grad=check_batched_forward_grad,
        check_forward_ad=check_forward_ad,
        check_backward_ad=check_backward_ad,
        masked=masked,
    )
    with _torch_warning_text():
        return _gc.gradcheck(
            func,
            inputs,
            eps=eps,
            atol=atol,
            rtol=rtol,
            raise_exception=raise_exception,
            fast_mode=fast_mode,
            check_batched_grad=check_batched_grad,
        )


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-06,
    atol: float = 1e-05,
    rtol: float = 0.001,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """gradcheck of the gradient itself (double backward)."""
    _only_defaults(
        gen_non_contig_grad_outputs=gen_non_contig_grad_outputs,
        nondet_tol=nondet_tol,
        check_grad_dtypes=check_grad_dtypes,
        check_fwd_over_rev=check_fwd_over_rev,
        check_rev_over_rev=check_rev_over_rev,
        masked=masked,
    )
    with _torch_warning_text():
        return _gc.gradgradcheck(
            func,
            inputs,
            grad_outputs,
            eps=eps,
            atol=atol,
            rtol=rtol,
            raise_exception=raise_exception,
            fast_mode=fast_mode,
            check_batched_grad=check_batched_grad,
        )
