"""Request scopes note every timer once, however the loop routes call_later and call_at."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest

from cfws_playground.scope import RequestScope, install


class CallLaterFirst(asyncio.SelectorEventLoop):
    """As Pyodide's WebLoop routes them: call_at and call_soon go through call_later, which
    schedules by itself."""

    def call_soon(self, callback: Any, *args: Any, context: Any = None) -> asyncio.TimerHandle:  # type: ignore[override]
        return self.call_later(0, callback, *args, context=context)

    def call_later(self, delay: float, callback: Any, *args: Any, context: Any = None) -> asyncio.TimerHandle:
        return super().call_at(self.time() + delay, callback, *args, context=context)

    def call_at(self, when: float, callback: Any, *args: Any, context: Any = None) -> asyncio.TimerHandle:
        return self.call_later(when - self.time(), callback, *args, context=context)


@pytest.mark.parametrize(
    "make_loop", [asyncio.new_event_loop, CallLaterFirst], ids=["asyncio", "call-later-first"]
)
def test_each_timer_is_noted_once_and_ends_with_its_request(make_loop: Any) -> None:
    loop = make_loop()
    try:
        install(loop)
        scope = RequestScope()
        context = contextvars.copy_context()
        scope.enter(context)
        fired: list[str] = []
        handles = [
            loop.call_later(60, fired.append, "later", context=context),
            loop.call_at(loop.time() + 60, fired.append, "at", context=context),
        ]
        loop.call_later(0, fired.append, "outside")  # no scope: not the request's
        loop.call_soon(fired.append, "soon", context=context)  # run soon: not a timer
        assert scope.pending() == (2, 0)
        assert scope.end() == (2, 0)
        assert all(h.cancelled() for h in handles)
        loop.run_until_complete(asyncio.sleep(0.01))
        assert sorted(fired) == ["outside", "soon"]
        # A timer set after the request ended never fires.
        late = loop.call_later(0, fired.append, "late", context=context)
        assert late.cancelled()
    finally:
        loop.close()
