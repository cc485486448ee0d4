"""Entry point for ``python -m instruments``."""

from instruments.cli import main

raise SystemExit(main())
