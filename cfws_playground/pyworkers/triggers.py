"""Cron triggers (``triggers.crons``) and the ``scheduled()`` handler, fired as ``wrangler dev`` fires them.

Locally nothing runs on the clock: ``pywrangler dev`` (Miniflare) fires a
scheduled event when asked, at ``/__scheduled?cron=...`` or
``/cdn-cgi/handler/scheduled?cron=...``, and so does ``serve DIR``. The handler
gets a ``ScheduledController`` (``cron``, ``scheduledTime`` in ms, ``noRetry()``),
``env`` and ``ctx``; the answer is ``Ran scheduled event`` (200), or the error (500).
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..durable.ids import JsClass
from ..http import Request, Response
from ..worker import ExecutionContext, _find_handler, _run_fetch, call_loosely

__all__ = ["ScheduledController", "Triggers", "check_cron"]

ROUTES = ("/__scheduled", "/cdn-cgi/handler/scheduled")

_FIELD = re.compile(r"^(\*|\?|L|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(/[0-9]+)?(#[0-9])?L?W?$")


def check_cron(expression: str) -> str | None:
    """Why ``expression`` is not a cron expression Cloudflare accepts (5 fields), or None."""
    fields = expression.split()
    if len(fields) != 5:
        return f"cron {expression!r} must have 5 fields (minute hour day-of-month month day-of-week)"
    for field in fields:
        if not all(_FIELD.match(part) for part in field.split(",")):
            return f"cron {expression!r}: field {field!r} is not valid"
    return None


class ScheduledController:
    """Mirrors ``ScheduledController``: ``cron``, ``scheduledTime`` (ms since the epoch), ``noRetry()``."""

    constructor = JsClass("ScheduledController")

    def __init__(self, cron: str, scheduled_time: float) -> None:
        self.cron = cron
        self.scheduledTime = scheduled_time
        self.retry = True

    def noRetry(self) -> None:
        """Mirrors ``controller.noRetry()``."""
        self.retry = False

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return self

    def __repr__(self) -> str:
        return f"ScheduledController(cron={self.cron!r}, scheduledTime={self.scheduledTime})"


def _scheduled_handler(worker: Any) -> Any:
    """The Worker's ``scheduled`` (a ``Default`` class's method, or a module's function)."""
    cls = getattr(worker, "cls", None)  # an SdkWorker: Cloudflare's SDK class
    if isinstance(cls, type) and callable(getattr(cls, "scheduled", None)):
        return lambda controller, env, ctx: call_loosely(cls(ctx, env).scheduled, controller, env, ctx)
    for name in ("scheduled", "on_scheduled"):
        fn = getattr(worker, name, None)
        if callable(fn):
            return lambda controller, env, ctx, fn=fn: call_loosely(fn, controller, env, ctx)
    return None


class Triggers:
    """The project's Worker with its cron triggers: ``/__scheduled`` fires ``scheduled()``.

    Args:
        worker: what serves every other request.
        crons: the ``triggers.crons`` of the wrangler file.
        scheduled_from: where the ``scheduled`` handler is (the project's Worker); ``worker`` by default.
    """

    def __init__(self, worker: Any, crons: Sequence[str], scheduled_from: Any = None) -> None:
        self.worker = worker
        self.crons = list(crons)
        self._fetch = _find_handler(worker)
        self._scheduled = _scheduled_handler(worker if scheduled_from is None else scheduled_from)

    async def scheduled(
        self, cron: str, env: Any, ctx: ExecutionContext | None = None
    ) -> ScheduledController:
        """Fire one scheduled event; raises what the handler raised."""
        controller = ScheduledController(cron, float(int(time.time() * 1000)))
        if self._scheduled is None:
            raise TypeError("Handler does not export a scheduled() function.")
        result = self._scheduled(controller, env, ctx or ExecutionContext())
        if inspect.isawaitable(result):
            await result
        return controller

    async def fetch(self, request: Request, env: Any, ctx: ExecutionContext) -> Response:
        parts = urlsplit(request.url)
        if parts.path in ROUTES:
            cron = parse_qs(parts.query).get("cron", [""])[0]
            try:
                await self.scheduled(cron, env, ctx)
            except Exception as exc:  # noqa: BLE001 - the handler's error is the answer, as in wrangler dev
                return Response(f"{type(exc).__name__}: {exc}", status=500)
            return Response("Ran scheduled event")
        return await _run_fetch(self._fetch, request, env, ctx)

    def __repr__(self) -> str:
        return f"<Triggers {self.crons} of {self.worker!r}>"
