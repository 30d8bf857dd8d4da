"""Driving an awaitable's steps by hand, exactly as ``yield from`` would.

Two places step an awaitable themselves instead of awaiting it: ``run_sync()``
(which runs the first steps at once, then hands the rest to a task) and a Durable
Object's handler wrapper (which notes the first wait that does not hold the
input gate). Both go on with :func:`relay`, so sends, throws and ``close()``
reach the inner steps the way Python's own delegation passes them.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

__all__ = ["relay"]


def relay(
    steps: Generator[Any, Any, Any], waiting: Any, before_yield: Callable[[], None] | None = None
) -> Generator[Any, Any, Any]:
    """Go on with ``steps``, which has just yielded ``waiting``; return what they return.

    ``before_yield`` runs before each value is passed up to the event loop.
    """
    while True:
        if before_yield is not None:
            before_yield()
        try:
            sent = yield waiting
        except GeneratorExit:
            steps.close()
            raise
        except BaseException as exc:  # noqa: BLE001 - thrown in (cancelled, or an error): the steps' to handle
            try:
                waiting = steps.throw(exc)
            except StopIteration as done:
                return done.value
        else:
            try:
                waiting = steps.send(sent)
            except StopIteration as done:
                return done.value
