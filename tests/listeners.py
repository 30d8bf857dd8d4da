"""Test doubles for listeners: small recording classes, not mocks."""

from __future__ import annotations

from typing import Any

from cfws_playground import WebSocket, WebSocketPair

__all__ = ["SIDES", "EventLog", "RecordingTransport", "ends", "listen_all"]

SIDES = ("client", "server")


class EventLog:
    """A listener that remembers every event with the readyState of both ends at that moment."""

    def __init__(self, pair: WebSocketPair, name: str) -> None:
        self.pair = pair
        self.name = name
        self.events: list[Any] = []
        self.states: list[tuple[int, int]] = []

    def __call__(self, event: Any) -> None:
        self.events.append(event)
        self.states.append((self.pair[0].readyState, self.pair[1].readyState))

    @property
    def types(self) -> list[str]:
        return [e.type for e in self.events]

    def of(self, type_: str) -> list[Any]:
        return [e for e in self.events if e.type == type_]


def listen_all(pair: WebSocketPair, ws: WebSocket, name: str = "") -> EventLog:
    log = EventLog(pair, name)
    for t in ("message", "close", "error", "open"):
        ws.addEventListener(t, log)
    return log


def ends(pair: WebSocketPair, side: str) -> tuple[WebSocket, WebSocket]:
    """(this end, the other end) for a parametrized side."""
    a, b = pair
    return (a, b) if side == "client" else (b, a)


class RecordingTransport:
    """A network connection double for a coupled end: records what the runtime asks of it."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.close_after_pong = False

    def frames_queued(self) -> None:
        self.calls.append("frames_queued")

    def answer_pings(self, payloads: list[bytes]) -> None:
        self.calls.append(f"answer_pings {payloads!r}")

    def refuse(self, code: int, reason: str) -> None:
        self.calls.append(f"refuse {code} {reason}")

    def message_read(self) -> None:
        """Called for every message the Worker's end is handed: not recorded, it would drown the rest."""

    def peer_died(self) -> None:
        self.calls.append("peer_died")
