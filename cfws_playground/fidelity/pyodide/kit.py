"""Run a Python scenario on the kit: the harness with the dialect's modules, at a date."""

from __future__ import annotations

import asyncio
import types
from typing import Any

from ...compat import compatibility
from ...dispatch import MESSAGE_CHANNEL_FLAGS, set_call_soon, settle as _settle, webloop_call_soon
from ...pyworkers.modules import dialect
from . import harness

__all__ = ["run_python_on_kit"]

#: Seconds the kit waits for timers a program left running (its events are settled first).
TIMERS = 0.01


async def _settle_kit() -> None:
    await _settle()
    await asyncio.sleep(TIMERS)
    await _settle()


class _LazyNamespace:
    """``env.OBJECT`` on the kit: the namespace of the scenario's Durable Object class, made when
    first used (the class exists once the program has defined it)."""

    def __init__(self, env: types.SimpleNamespace) -> None:
        self._env = env
        self._ns: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._ns is None:
            from ...pyworkers.project import binding

            # key-value backed, as the loader's ScenarioObject (no enableSql) in workerd
            self._ns = binding(harness._object_class(), self._env, sql=False)
        return getattr(self._ns, name)


async def run_python_on_kit(code: str, date: str, flags: tuple[str, ...] = ()) -> list[str]:
    """Run one scenario program on the kit under ``date`` and ``flags``; its transcript rows.

    A flag the kit does not model gives one row saying so (the comparison then shows it).
    """
    # WebLoop's call_soon is a microtask with the global MessageChannel (from 2025-08-15,
    # or the flag) and a timer without it, and its call_later of at most 2 ms is a call_soon:
    # the kit's loop takes the same meaning for the run.
    mode = webloop_call_soon(date, flags)
    rest = [flag for flag in flags if flag not in MESSAGE_CHANNEL_FLAGS]
    try:
        compat = compatibility(date=date, flags=rest)
    except ValueError as exc:
        return [f"the kit does not model this configuration: {str(exc).split(';')[0]}"]
    set_call_soon(mode, webloop=True)
    try:
        with dialect(), compat:
            env = types.SimpleNamespace()
            env.OBJECT = _LazyNamespace(env)
            return await harness.run(code, _settle_kit, env)
    finally:
        set_call_soon("microtask")
