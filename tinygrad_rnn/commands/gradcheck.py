"""`tinygrad-rnn gradcheck`: our RNN/LSTM/GRU gradients against finite differences and exact sympy ones."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._rnn_options import add_rnn_arguments, positive_int, rnn_kwargs

FD_RTOL = 1e-6  # central differences in float64 (eps 1e-6): truncation + round-off ~ 1e-9
SYMPY_RTOL = 1e-10  # exact derivatives evaluated with 40 digits: only our float64 round-off is left

DESCRIPTION = """\
Build a float64 RNN, LSTM or GRU (--mode) with the given options and random weights (seeded),
take the scalar loss

    L = sum(output * G_out) + sum(h_n * G_hn)  [+ sum(c_n * G_cn) for the LSTM]   (G random)

and compare dL/d(every input) from our tape with
  * central finite differences of L (eps = --eps), and
  * the exact derivatives from tinygrad_rnn.symbolic: the same RNN written independently in sympy
    from its recurrence, differentiated exactly and evaluated with 40 significant digits.

One row per tensor (input, h0, weight_ih_l0, ...), plus forward rows for output and h_n against
sympy. "max abs" is the largest |ours - reference| over the tensor's entries; "max rel" is that
divided by the tensor's largest |reference| entry. Exit code 0 if every row is within tolerance
(finite differences: max rel <= 1e-6; sympy: max rel <= 1e-10), 1 if not, 2 on bad options.
Keep sizes small: finite differences run two forwards per number and sympy builds one expression
per unit and step.
"""


def _parse_lengths(text: str, batch: int, seq_len: int) -> tuple[list[int] | None, str | None]:
    parts = [p.strip() for p in text.split(",")]
    try:
        lengths = [int(p) for p in parts]
    except ValueError:
        return None, f"--lengths: expected comma-separated integers such as 3,1, got {text!r}"
    if len(lengths) != batch:
        return None, (
            f"--lengths: expected {batch} lengths (one per sequence, --batch {batch}), "
            f"got {len(lengths)} ({text})"
        )
    bad = [n for n in lengths if not 0 <= n <= seq_len]
    if bad:
        return None, (
            f"--lengths: every length must be in [0, {seq_len}] (--seq-len {seq_len}), "
            f"got {','.join(map(str, bad))}"
        )
    return lengths, None


def _validate(args: argparse.Namespace) -> tuple[list[int] | None, str | None]:
    if not args.eps > 0:
        return None, f"--eps: expected a positive number, got {args.eps}"
    if args.lengths is None:
        return None, None
    return _parse_lengths(args.lengths, args.batch, args.seq_len)


def _diff(ours: Any, ref: Any) -> tuple[float, float]:
    import numpy as np

    ours, ref = np.asarray(ours, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if ours.shape != ref.shape:
        raise ValueError(f"shape {ours.shape} vs reference {ref.shape}")
    if ours.size == 0:
        return 0.0, 0.0
    err = float(np.max(np.abs(ours - ref)))
    scale = float(np.max(np.abs(ref)))
    return err, (err / scale if scale > 0 else (0.0 if err == 0 else float("inf")))


def run(args: argparse.Namespace) -> int:
    """Compare our gradients with finite differences and sympy; print the table."""
    lengths, err = _validate(args)
    if err:
        print(f"tinygrad-rnn gradcheck: error: {err}", file=sys.stderr)
        return 2

    import numpy as np

    from ..gradcheck import numerical_jacobian
    from ..nn import GRU, LSTM, RNN
    from ..random import manual_seed
    from ..tensor import Tensor, grad

    T, B, I, H, L = args.seq_len, args.batch, args.input_size, args.hidden_size, args.num_layers
    D = 2 if args.bidirectional else 1
    options = rnn_kwargs(args)
    del options["input_size"], options["hidden_size"]
    mode = args.mode
    nonlinearity = options.pop("nonlinearity")  # the RNN's only
    manual_seed(args.seed)
    cls = {"rnn": RNN, "lstm": LSTM, "gru": GRU}[mode]
    extra = {"nonlinearity": nonlinearity} if mode == "rnn" else {}
    model = cls(I, H, dtype=np.float64, **options, **extra)  # U(-1/sqrt(H), 1/sqrt(H)) from the seed
    model.eval()
    rng = np.random.default_rng(args.seed)
    x_shape = (B, T, I) if args.batch_first else (T, B, I)
    out_shape = (B, T, D * H) if args.batch_first else (T, B, D * H)
    x = Tensor(rng.standard_normal(x_shape), requires_grad=True)
    h0 = None if args.no_h0 else Tensor(rng.standard_normal((L * D, B, H)) * 0.5, requires_grad=True)
    c0 = (
        None
        if args.no_h0 or mode != "lstm"
        else Tensor(rng.standard_normal((L * D, B, H)) * 0.5, requires_grad=True)
    )
    g_out = rng.standard_normal(out_shape)
    g_hn = rng.standard_normal((L * D, B, H))
    g_cn = rng.standard_normal((L * D, B, H)) if mode == "lstm" else None
    lens = None if lengths is None else np.asarray(lengths, dtype=np.int64)
    params = dict(model.named_parameters())

    def forward(x: Tensor, states: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """(output, [h_n] or [h_n, c_n]) for initial states [], [h0] or [h0, c0]."""
        hx = None if not states else (tuple(states) if mode == "lstm" else states[0])
        out, fin = model(x, hx, lengths=lens)
        return out, list(fin) if mode == "lstm" else [fin]

    def loss_of(x: Tensor, *states: Tensor) -> Tensor:
        out, fin = forward(x, list(states))
        loss = (out * Tensor(g_out)).sum()
        for f, g in zip(fin, (g_hn, g_cn)):
            loss = loss + (f * Tensor(g)).sum()
        return loss

    states = [s for s in (h0, c0) if s is not None]
    names = ["input"] + ["h0", "c0"][: len(states)] + list(params)
    leaves = [x] + states + list(params.values())
    gs = grad(loss_of(x, *states), leaves, allow_unused=True)  # None: unused (e.g. every length 0)
    ours = {n: np.zeros(t.shape) if g is None else g.array for n, g, t in zip(names, gs, leaves)}
    with_out = forward(x, states)

    # central differences of L in every number (the parameters are perturbed in place)
    n_states = len(states)
    jac = numerical_jacobian(lambda x, *rest: loss_of(x, *rest[:n_states]), leaves, args.eps)[0]
    fd = {n: j.reshape(t.shape) for n, j, t in zip(names, jac, leaves)}

    ref = None
    if not args.no_sympy:
        from ..symbolic import reference_gradients

        ref = reference_gradients(
            x.array,
            {n: p.array for n, p in params.items()},
            None if h0 is None else h0.array,
            out_weight=g_out,
            hn_weight=g_hn,
            mode=mode,
            c0=None if c0 is None else c0.array,
            cn_weight=g_cn,
            lengths=lengths,
            nonlinearity=nonlinearity,
            **options,
        )

    act = f"nonlinearity={nonlinearity} " if mode == "rnn" else ""
    print(
        f"{cls.__name__}({model.extra_repr()})  {act}seq_len={T} batch={B} "
        f"lengths={lengths} h0={'zeros' if h0 is None else 'given'} seed={args.seed} float64"
    )
    c_term = " + sum(c_n * G_cn)" if mode == "lstm" else ""

    print(f"loss = sum(output * G_out) + sum(h_n * G_hn){c_term}, G random; rel = max abs / max |reference|")
    print()
    head = f"{'tensor':<24}{'shape':<14}{'vs finite differences':^26}{'vs sympy (exact)':^26}"
    print(head.rstrip())
    print((f"{'':<38}" + f"{'max abs':>12}{'max rel':>12}  " * 2).rstrip())
    failures = []

    def fmt(v: float | None) -> str:
        return f"{'-':>12}" if v is None else f"{v:>12.2e}"

    rows: list[tuple[str, Any, Any, Any]] = [
        (n, ours[n], fd[n], None if ref is None else ref[n]) for n in names
    ]
    rows += [("output (forward)", with_out[0].array, None, None if ref is None else ref["output"])]
    for nm, f in zip(("h_n", "c_n"), with_out[1]):
        rows += [(f"{nm} (forward)", f.array, None, None if ref is None else ref[nm])]
    for name, mine, fdv, rv in rows:
        fa = fr = sa = sr = None
        if fdv is not None:
            fa, fr = _diff(mine, fdv)
            if fr > FD_RTOL:
                failures.append(f"{name} vs finite differences: max rel {fr:.2e} > {FD_RTOL:g}")
        if rv is not None:
            sa, sr = _diff(mine, rv)
            if sr > SYMPY_RTOL:
                failures.append(f"{name} vs sympy: max rel {sr:.2e} > {SYMPY_RTOL:g}")
        shape = str(tuple(np.shape(mine)))
        print(f"{name:<24}{shape:<14}{fmt(fa)}{fmt(fr)}  {fmt(sa)}{fmt(sr)}")
    print()
    if failures:
        for f in failures:
            print("FAILED:", f)
        return 1
    what = f"finite differences: max rel <= {FD_RTOL:g}"
    what += "" if ref is None else f"; sympy: max rel <= {SYMPY_RTOL:g}"
    print(f"all within tolerance ({what})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `gradcheck` subcommand."""
    p = sub.add_parser(
        "gradcheck",
        help="check RNN/LSTM/GRU gradients against finite differences and exact sympy derivatives",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_rnn_arguments(p, input_size=2, hidden_size=2)
    a = p.add_argument
    a(
        "--mode",
        choices=["rnn", "lstm", "gru"],
        default="rnn",
        help="which cell: the Elman RNN (default; --nonlinearity applies), LSTM (h0 and c0) or GRU",
    )
    a("--seq-len", type=positive_int, default=3, metavar="T", help="time steps T (default 3)")
    a("--batch", type=positive_int, default=2, metavar="B", help="sequences in the batch (default 2)")
    a(
        "--lengths",
        metavar="N,N,...",
        help="per-sequence valid lengths, one per sequence, each in [0, T], e.g. 3,1: past its length "
        "a sequence's state is frozen and its output is 0, and the reverse direction runs over the "
        "valid prefix only (default: every sequence has length T)",
    )
    a("--no-h0", action="store_true", help="omit h0 (and c0) (zeros, no rows) instead of random ones")
    a("--seed", type=int, default=0, help="seed for the weights, inputs and loss weights (default 0)")
    a("--eps", type=float, default=1e-6, help="finite-difference step (default 1e-6)")
    a("--no-sympy", action="store_true", help="skip the sympy column (for sizes too big for it)")
    p.set_defaults(func=run)
