"""What the widgets share: where records come from, and how one record reads as a row."""

from __future__ import annotations

import pathlib
from collections.abc import Iterable
from typing import Any

from ..events import Blob
from ..recorder import Record, Recorder, close_code_meaning
from ..socket import WebSocketPair

__all__ = [
    "END_NAMES",
    "KIND_NAMES",
    "STYLE",
    "Source",
    "style_tag",
    "as_recorder",
    "describe_error",
    "row_of",
    "state_name",
]

#: The widgets' style sheet: the colours (theme-aware, each checked for contrast) and layout.
STYLE = (pathlib.Path(__file__).parent / "widgets.css").read_text()

#: The two ends, in the order the widgets show them.
END_NAMES = ("client", "server")
#: Record kinds (see :class:`~cfws_playground.recorder.Record`).
KIND_NAMES = ("call", "event", "net", "note")

_STATE_NAMES = ("CONNECTING", "OPEN", "CLOSING", "CLOSED")

#: What a widget can observe: a recorder, one pair, or several pairs.
Source = Recorder | WebSocketPair | Iterable[WebSocketPair]


def as_recorder(source: Source, *, limit: int | None = 100_000) -> Recorder:
    """The recorder to observe: ``source`` itself, or a new one watching the pair(s)."""
    if isinstance(source, Recorder):
        return source
    if isinstance(source, WebSocketPair):
        return Recorder(source, limit=limit)
    pairs = list(source)
    if not pairs or not all(isinstance(p, WebSocketPair) for p in pairs):
        raise TypeError(
            f"a widget observes a Recorder, a WebSocketPair or a list of WebSocketPairs, not {source!r}"
        )
    return Recorder(*pairs, limit=limit)


def style_tag() -> str:
    """The style sheet as a ``<style>`` element, for the widgets built from ipywidgets' own."""
    return f"<style>{STYLE}</style>"


def state_name(state: int) -> str:
    """``1`` -> ``"1 OPEN"``."""
    return f"{state} {_STATE_NAMES[state]}"


def describe_error(exc: BaseException) -> str:
    """An exception as the runtime raised it: class (and DOMException name) and text."""
    name = getattr(exc, "name", None)
    label = type(exc).__name__
    if isinstance(name, str) and label == "DOMException":
        label = f"DOMException {name}"
    return f"{label}: {exc}"


def _payload_kind(value: Any) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, (bytes, bytearray, memoryview, Blob)):
        return "binary"
    return "other"


def row_of(r: Record) -> dict[str, Any]:
    """One record as the JSON row a front end renders (and tests read)."""
    row: dict[str, Any] = {
        "seq": r.seq,
        "pair": r.pair,
        "end": r.end,
        "kind": r.kind,
        "name": r.name,
        "step": r.step,
        "client": state_name(r.client),
        "server": state_name(r.server),
    }
    if r.name in ("send", "message") and r.args:
        row["payload"] = _payload_kind(r.args[0])
    if r.name == "close" and r.args and isinstance(r.args[0], int):
        row["code"] = r.args[0]
        row["meaning"] = close_code_meaning(r.args[0])
    if r.kind == "event" and r.name == "close" and len(r.args) == 3:
        row["wasClean"] = bool(r.args[2])
    if r.kind == "call" and r.outcome not in ("ok", "no-op", "ignored"):
        row["error"] = r.outcome
    return row
