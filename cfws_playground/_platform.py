"""Where the kernel runs: a browser kernel (Pyodide, as in JupyterLite) has no sockets.

Everything in-process — pairs, the recorder, dispatch, ``connect(worker)``,
the widgets — works the same in the browser. Serving real clients needs a
listening socket, which a kernel running inside a web page cannot open, so
the edges that need one call :func:`require_network` first and say so in
plain words instead of failing deep inside asyncio.
"""

from __future__ import annotations

import sys

__all__ = ["NEEDS_NETWORK", "in_browser", "require_network"]

#: What a learner reads when a browser kernel meets something it cannot do.
NEEDS_NETWORK = "this needs a kernel with network access: run it in JupyterLab or on Binder"


def in_browser() -> bool:
    """Whether this kernel runs in a web page (Pyodide: ``sys.platform == "emscripten"``)."""
    return sys.platform == "emscripten"


def require_network(what: str) -> None:
    """Raise a clear ``NotImplementedError`` naming ``what`` when the kernel runs in the browser."""
    if in_browser():
        raise NotImplementedError(
            f"{what} opens a listening socket, and a kernel running in the browser has none: {NEEDS_NETWORK}"
        )
