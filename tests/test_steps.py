"""relay() goes on with an awaitable's steps exactly as ``yield from`` would."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from cfws_playground.steps import relay


def _inner(log: list[str]) -> Generator[str, Any, str]:
    try:
        got = yield "first"
        log.append(f"sent {got}")
        try:
            yield "second"
        except ValueError as exc:
            log.append(f"caught {exc}")
        yield "third"
    finally:
        log.append("inner closed")
    return "done"


def _started(log: list[str]) -> tuple[Generator[str, Any, str], str]:
    steps = _inner(log)
    return steps, steps.send(None)


def test_sends_and_throws_reach_the_steps_and_their_value_comes_back() -> None:
    log: list[str] = []
    calls: list[int] = []
    outer = relay(*_started(log), before_yield=lambda: calls.append(1))
    assert outer.send(None) == "first"
    assert outer.send(7) == "second"
    assert outer.throw(ValueError("v")) == "third"
    with pytest.raises(StopIteration) as stop:
        outer.send(None)
    assert stop.value.value == "done"
    assert log == ["sent 7", "caught v", "inner closed"]
    assert len(calls) == 3  # once before each value passed up


def test_an_exception_the_steps_do_not_handle_comes_out() -> None:
    log: list[str] = []
    outer = relay(*_started(log))
    outer.send(None)
    with pytest.raises(KeyError):
        outer.throw(KeyError("k"))
    assert log == ["inner closed"]


def test_closing_the_relay_closes_the_steps() -> None:
    log: list[str] = []
    outer = relay(*_started(log))
    outer.send(None)
    outer.close()
    assert log == ["inner closed"]
