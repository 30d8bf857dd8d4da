"""Where the dialect's modules appear: ``js``, ``pyodide`` (``pyodide.ffi``, ``pyodide.http``) and
the two runtime modules Cloudflare's SDK imports; ``workers`` is then Cloudflare's own SDK
(``workers-runtime-sdk``, a pinned dependency) imported on top of them.

They never shadow real packages behind your back. They are in ``sys.modules``
only while the kit loads a project (:func:`dialect`), for the whole life of a
``cfws-playground serve`` process (which runs nothing else), or after one
explicit opt-in in a notebook (:func:`enable`), which warns when it hides an
installed package of the same name (``pyodide-py`` installs ``pyodide``).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
import types
import warnings
from collections.abc import Iterator
from typing import Any

from . import ffi, js, pyodide_http

__all__ = ["NAMES", "PYODIDE_VERSION", "dialect", "disable", "enable", "enabled", "sdk", "shadowed"]

#: The modules the kit provides for Python Workers code and for Cloudflare's SDK.
NAMES = (
    "js",
    "pyodide",
    "pyodide.ffi",
    "pyodide.http",
    "_pyodide_entrypoint_helper",
    "_cloudflare_compat_flags",
)
#: Pyodide's version the SDK sees (it only checks for one old alpha).
PYODIDE_VERSION = "0.28.2"


def _flag_is_off(name: str) -> bool:
    """Every flag the SDK asks for is off; a module attribute such as ``__file__`` stays absent
    (``inspect.getmodule``, which IPython calls to show a traceback, reads it on every module)."""
    if name.startswith("__"):
        raise AttributeError(name)
    return False


def _wait_until(promise: Any) -> None:
    """``waitUntil(promise)`` of ``cloudflare:workers``: the work runs on after the response."""
    import asyncio

    asyncio.ensure_future(promise)


#: ``cloudflare:workers`` as the SDK imports it: ``waitUntil`` (``env`` is the served project's).
_cloudflare_workers = types.SimpleNamespace(waitUntil=_wait_until, env=types.SimpleNamespace())


def _make_modules() -> dict[str, types.ModuleType]:
    pyodide = types.ModuleType("pyodide", "Pyodide as the kit provides it: pyodide.ffi and pyodide.http.")
    pyodide.__path__ = []  # a package, so `import pyodide.ffi` works
    pyodide.__version__ = PYODIDE_VERSION  # type: ignore[attr-defined]
    pyodide.ffi = ffi  # type: ignore[attr-defined]
    pyodide.http = pyodide_http  # type: ignore[attr-defined]

    helper = types.ModuleType(
        "_pyodide_entrypoint_helper", "What Cloudflare's SDK asks of the runtime's glue."
    )
    helper.patchWaitUntil = lambda ctx: None  # type: ignore[attr-defined]  # ctx.waitUntil is the kit's already
    helper.cloudflareWorkersModule = _cloudflare_workers  # type: ignore[attr-defined]
    helper.cloudflareSocketsModule = None  # type: ignore[attr-defined]

    def do_an_import(name: str) -> Any:
        raise ImportError(f"importing the JavaScript module {name!r} is not modelled by cfws-playground")

    def patch_env_helper(kwds: Any) -> Iterator[None]:
        yield

    helper.doAnImport = do_an_import  # type: ignore[attr-defined]
    helper.patch_env_helper = patch_env_helper  # type: ignore[attr-defined]

    flags = types.ModuleType(
        "_cloudflare_compat_flags", "Compatibility flags as the SDK reads them: all off."
    )
    setattr(flags, "__getattr__", _flag_is_off)  # noqa: B010 - a module __getattr__ (PEP 562)
    return {
        "js": js,
        "pyodide": pyodide,
        "pyodide.ffi": ffi,
        "pyodide.http": pyodide_http,
        "_pyodide_entrypoint_helper": helper,
        "_cloudflare_compat_flags": flags,
    }


_MODULES = _make_modules()
_saved: dict[str, types.ModuleType | None] | None = None


def _install() -> dict[str, types.ModuleType | None]:
    saved: dict[str, types.ModuleType | None] = {name: sys.modules.get(name) for name in NAMES}
    sys.modules.update(_MODULES)
    # Cloudflare's SDK, imported once on the modules above. It stays imported: it is
    # the installed package itself, and its code keeps what it bound to `js` and
    # `pyodide` (its one import inside a function, of its own `workers.formdata`,
    # is then served from sys.modules).
    importlib.import_module("workers")
    importlib.import_module("workers.formdata")
    # workerd's Python runtime has the SDK's ASGI adapter as a top-level module too
    # (`import asgi`, as older examples write it).
    saved.setdefault("asgi", sys.modules.get("asgi"))
    sys.modules["asgi"] = importlib.import_module("workers.asgi")
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


def sdk() -> types.ModuleType:
    """Cloudflare's ``workers`` module, imported on the kit's layer."""
    with dialect():
        return sys.modules["workers"]


def shadowed() -> list[str]:
    """Installed packages the dialect's modules would hide (``pyodide-py`` installs ``pyodide``)."""
    found = []
    for name in ("js", "pyodide"):
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
    """Opt in: ``from js import ...``, ``from workers import ...`` work in this interpreter from now on.

    Warns (``RuntimeWarning``) naming any installed package the modules hide
    until :func:`disable`.
    """
    global _saved
    if _saved is not None:
        return
    # In a browser kernel (Pyodide, JupyterLite) `js` and `pyodide` are the runtime's own:
    # the dialect stands in for them by design (the kernel keeps the modules it already
    # imported), and a warning there would only tell the learner what they cannot change.
    hidden = [] if sys.platform == "emscripten" else shadowed()
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
