"""`python -m tinygrad_rnn` runs the CLI."""

from .cli import main

raise SystemExit(main())
