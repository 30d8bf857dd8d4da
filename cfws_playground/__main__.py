"""``python -m cfws_playground``: the same as the ``cfws-playground`` command."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
