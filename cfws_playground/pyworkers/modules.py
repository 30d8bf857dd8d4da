"""Where the dialect's modules appear: ``js``, ``pyodide``, ``pyodide.ffi`` and ``workers``.

They never shadow real packages behind your back. They are in ``sys.modules``
only while the kit loads a project (:func:`dialect`), for the whole life of a
``cfws-playground serve`` process (which runs nothing else), or after one
explicit opt-in in a notebook (:func:`enable`), which warns when it hides an
installed package of the same name.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import types
import warnings
from collections.abc import Iterator

from . import ffi, js, workers

__all__ = ["NAMES", "dialect", "disable", "enable", "enabled"]

#: The module names Python Workers code imports.
NAMES = ("js", "pyodide", "pyodide.ffi", "workers")

_saved: dict[str, types.ModuleType | None] | None = None


def _make_modules() -> dict[str, types.ModuleType]:
    pyodide = types.ModuleType("pyodide", "Pyodide as the kit provides it: only pyodide.ffi.")
    pyodide.ffi = ffi  # type: ignore[attr-defined]
    pyodide.__path__ = []  # a package, so `import pyodide.ffi` works
    return {"js": js, "pyodide": pyodide, "pyodide.ffi": ffi, "workers": workers}


_MODULES = _make_modules()


def _modules() -> dict[str, types.ModuleType]:
    return _MODULES


def _install() -> dict[str, types.ModuleType | None]:
    saved = {name: sys.modules.get(name) for name in NAMES}
    sys.modules.update(_modules())
    return saved


def _restore(saved: dict[str, types.ModuleType | None]) -> None:
    for name, module in saved.items():
        if module is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = module


@contextlib.contextmanager
def dialect() -> Iterator[None]:
    """The dialect's modules in ``sys.modules`` for the duration of the block only."""
    if _saved is not None:  # enable() is on: nothing to add or take away
        yield
        return
    saved = _install()
    try:
        yield
    finally:
        _restore(saved)


def shadowed() -> list[str]:
    """Installed packages the dialect's modules would hide (``pyodide-py`` installs ``pyodide``)."""
    found = []
    for name in ("js", "pyodide", "workers"):
        module = sys.modules.get(name)
        if module is not None:
            if module is not _MODULES[name]:
                found.append(name)
            continue
        try:
            if importlib.util.find_spec(name) is not None:
                found.append(name)
        except (ImportError, ValueError):
            pass
    return found


def enable() -> None:
    """Opt in: ``from js import ...``, ``from workers import ...`` work in this kernel from now on.

    Warns (``RuntimeWarning``) naming any installed package the modules hide
    until :func:`disable`.
    """
    global _saved
    if _saved is not None:
        return
    hidden = shadowed()
    if hidden:
        warnings.warn(
            f"cfws_playground.pyworkers.enable(): the kit's {', '.join(hidden)} now hide the installed "
            "package(s) of the same name in this interpreter, until disable()",
            RuntimeWarning,
            stacklevel=2,
        )
    _saved = _install()


def disable() -> None:
    """Undo :func:`enable`: the previous modules (or none) come back."""
    global _saved
    if _saved is not None:
        _restore(_saved)
        _saved = None


def enabled() -> bool:
    """True after :func:`enable` (until :func:`disable`)."""
    return _saved is not None
