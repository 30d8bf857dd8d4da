"""Shared helpers: recording listeners (small doubles, not mocks) and pair factories."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from cfws_playground import WebSocket, WebSocketPair

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


@pytest.fixture(params=SIDES)
def side(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _quiet_runtime_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="cfws_playground")


# Notebooks under tests/ are fixtures for the browser tests, not workshop
# notebooks: nbval collects only notebooks/.
collect_ignore_glob = ["*.ipynb", "**/*.ipynb"]
