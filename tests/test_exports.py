"""The package exports exactly what its ``__all__`` says, once each."""

from __future__ import annotations

import importlib
import pkgutil
import types

import cfws_playground


def test_all_is_exactly_the_public_namespace() -> None:
    public = {
        name
        for name, value in vars(cfws_playground).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name not in {"annotations"}
    }
    assert sorted(cfws_playground.__all__) == sorted(public)
    assert len(set(cfws_playground.__all__)) == len(cfws_playground.__all__)


def test_every_module_declares_all_and_its_names_exist() -> None:
    for info in pkgutil.walk_packages(cfws_playground.__path__, "cfws_playground."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        assert hasattr(module, "__all__"), f"{info.name} has no __all__"
        for name in module.__all__:
            assert hasattr(module, name), f"{info.name}.__all__ names {name!r}, which it lacks"


def test_issue_spelling_of_the_core_api_is_importable() -> None:
    from cfws_playground import (  # noqa: F401
        Blob,
        CloseEvent,
        DOMException,
        ErrorEvent,
        Event,
        MessageEvent,
        RangeError,
        WebSocket,
        WebSocketPair,
        compatibility,
        settle,
    )

    assert issubclass(RangeError, ValueError)
