"""Notebook conveniences.

:func:`allow_asyncio_run` lets a cell run script-style code such as
``asyncio.run(main())`` — what a Python Workers developer pastes from a ``.py``
file — inside Jupyter, where the kernel's event loop is already running and
``asyncio.run`` would otherwise raise ``RuntimeError: asyncio.run() cannot be
called from a running event loop``. Top-level ``await main()`` needs none of
this and is what the workshop notebooks use. In the browser (JupyterLite)
``asyncio.run(main())`` already works, so there it only says so.
"""

from __future__ import annotations

import asyncio
import warnings
import weakref

from ._platform import in_browser

__all__ = ["allow_asyncio_run"]

_patched: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def allow_asyncio_run() -> asyncio.AbstractEventLoop:
    """Let ``asyncio.run(...)`` and ``loop.run_until_complete(...)`` work in this kernel.

    Nesting an event loop inside the running one needs a patch of asyncio.
    This applies `nest-asyncio2 <https://pypi.org/project/nest-asyncio2/>`_ to
    the kernel's loop. nest-asyncio2 is the maintained successor of
    ``nest-asyncio``, which is archived: with ipykernel 7 the old package
    raises "cannot enter context" and wedges the kernel when several cells
    are queued at once (*Run All*); nest-asyncio2 fixes that.

    It is an explicit opt-in because patching asyncio changes it for the whole
    kernel: call it once, in the cell before the script-style code. Calling it
    again does nothing.

    Example::

        from cfws_playground.notebook import allow_asyncio_run
        allow_asyncio_run()
        asyncio.run(main())

    In the browser (JupyterLite, Pyodide) it patches nothing: Pyodide's loop
    already runs ``asyncio.run(main())`` in a cell, and nest-asyncio2 cannot
    patch it. A ``RuntimeWarning`` says the call is unnecessary there.

    Returns:
        The loop that was made re-entrant (in the browser, the running loop).
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    if in_browser():
        warnings.warn(
            "allow_asyncio_run() is unnecessary in the browser: this kernel already runs "
            "asyncio.run(main()) in a cell, so nothing was patched",
            RuntimeWarning,
            stacklevel=2,
        )
        return loop
    import nest_asyncio2  # only for those who ask: it patches asyncio

    if loop not in _patched:
        nest_asyncio2.apply(loop)
        # Once run_sync() has made a loop re-entrant, apply() leaves asyncio.run alone.
        setattr(asyncio, "run", nest_asyncio2.run)  # noqa: B010
        _patched.add(loop)
    return loop
