"""Notice a Worker that blocks the event loop, and optionally end it as workerd's CPU limit would.

Every client of a served Worker shares one event loop, as every request of an
isolate shares one thread in workerd. A ``time.sleep(5)`` or a busy loop in a
``fetch``, a listener or a Durable Object method stalls them all. workerd ends
such an invocation when it exceeds its CPU-time limit; ``wrangler dev`` and
``workerd serve`` on a laptop enforce none (the limit enforcer of
``src/workerd/server/server.c++`` counts nothing), and so the kit, by default,
only says what is happening:

* a thread watches the loop's heartbeat (a callback every ``TICK`` seconds);
  when it stops for ``after`` seconds, it logs, once per block, which Worker,
  which handler and which line is running (the loop thread's current frame,
  ``sys._current_frames()``), with the fix: ``await asyncio.sleep(...)``;
* with ``cpu_ms`` set, a block that spends more than that much CPU time of the
  loop's thread is ended the way Python Workers end it on Pyodide
  (``src/pyodide/internal/introspection.py``): a ``SIGXCPU`` handler raises
  :class:`CpuLimitExceeded` ("Python Worker exceeded CPU time limit") in the
  Worker's code. The kit counts each uninterrupted run of Worker code;
  workerd counts an invocation's whole CPU time.

The CLI also asks :attr:`Watchdog.blocked` when Ctrl-C arrives: a loop stuck in
Worker code would never run a polite shutdown, so the first Ctrl-C raises
``KeyboardInterrupt`` in that code instead.
"""

from __future__ import annotations

import asyncio
import linecache
import logging
import signal
import sys
import sysconfig
import threading
import time
import types
from pathlib import Path
from typing import Any

__all__ = ["CPU_LIMIT_EXCEEDED", "CpuLimitExceeded", "Watchdog"]

log = logging.getLogger("cfws_playground.bridge")

#: Pyodide's text in workerd when a Python Worker exceeds its CPU time (introspection.py).
CPU_LIMIT_EXCEEDED = "Python Worker exceeded CPU time limit"

#: Seconds between two heartbeats of the loop.
TICK = 0.05

_KIT = str(Path(__file__).resolve().parent)
_LIBRARY = tuple(
    {
        str(Path(path).resolve())
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (path := sysconfig.get_path(key))
    }
)


class CpuLimitExceeded(Exception):  # noqa: N818 - Pyodide's name
    """Raised in a Worker's code that ran longer than ``--cpu-ms`` of CPU time without awaiting.

    Mirrors Pyodide's ``CpuLimitExceeded`` in workerd, with its text. Pyodide's
    is a ``BaseException``; the kit's is an ``Exception``, so that the kit's
    own handling of a raising listener or ``fetch`` applies (the client gets
    what a raising Worker gives it). A Worker whose ``except Exception``
    swallows it gets it again as long as it keeps the loop blocked.
    """


def _is_worker_code(filename: str) -> bool:
    """Code of the Worker: neither the kit, nor the standard library, nor an installed package."""
    if filename.startswith("<frozen") or not filename:
        return False
    path = str(Path(filename).resolve()) if not filename.startswith("<") else filename
    return not path.startswith(_KIT) and not path.startswith(_LIBRARY)


def worker_frames(frame: types.FrameType | None) -> list[types.FrameType]:
    """The frames of Worker code on a stack, innermost first."""
    found = []
    while frame is not None:
        if _is_worker_code(frame.f_code.co_filename):
            found.append(frame)
        frame = frame.f_back
    return found


class Watchdog:
    """Watches one event loop's heartbeat from a thread; see the module docstring.

    Args:
        name: the Worker, as log lines name it.
        after: seconds without a heartbeat before the block is logged.
        cpu_ms: CPU milliseconds a block may spend before :class:`CpuLimitExceeded`
            is raised in it; None (the default, as in local development) for no limit.
    """

    def __init__(self, name: str, *, after: float = 1.0, cpu_ms: float | None = None) -> None:
        self.name = name
        self.after = after
        self.cpu_ms = cpu_ms
        self._beat = (time.monotonic(), 0.0)  # (when, the loop thread's CPU time then)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ident = 0
        self._clock: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._previous_xcpu: Any = None
        self._raise_at: float | None = None  # the beat whose block the next SIGXCPU ends
        #: How many blocks were logged, and how many invocations the CPU limit ended.
        self.blocks = 0
        self.ended = 0

    @property
    def blocked(self) -> float:
        """Seconds since the loop last beat (0 when it is not running a watchdog)."""
        if self._thread is None:
            return 0.0
        return max(0.0, time.monotonic() - self._beat[0])

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start beating on ``loop`` (call it from the loop's thread) and start the watching thread."""
        from .scope import KIT_CONTEXT

        self._loop = loop
        self._ident = threading.get_ident()
        self._context = KIT_CONTEXT
        if self.cpu_ms is not None:
            if threading.current_thread() is not threading.main_thread():
                log.warning("the CPU-time limit needs the event loop on the main thread: not enforced")
                self.cpu_ms = None
            else:
                self._clock = time.pthread_getcpuclockid(self._ident)
                self._previous_xcpu = signal.signal(signal.SIGXCPU, self._on_xcpu)
        self._beating()
        self._thread = threading.Thread(target=self._watch, name="cfws-playground watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (and restore the ``SIGXCPU`` handler)."""
        self._stop.set()
        if self._handle is not None:
            self._handle.cancel()
        if self._thread is not None:
            self._thread.join(timeout=1)
            self._thread = None
        if self._previous_xcpu is not None:
            signal.signal(signal.SIGXCPU, self._previous_xcpu)
            self._previous_xcpu = None

    # ---- the loop's side

    def _beating(self) -> None:
        self._beat = (time.monotonic(), time.thread_time())
        if not self._stop.is_set() and self._loop is not None and not self._loop.is_closed():
            self._handle = self._loop.call_later(TICK, self._beating, context=self._context)

    def _on_xcpu(self, signum: int, frame: types.FrameType | None) -> None:
        """Runs in the loop's thread between two bytecodes of whatever it was running."""
        if self._raise_at is None or self._raise_at != self._beat[0]:
            return  # the block ended meanwhile
        if frame is None or not worker_frames(frame) or not _is_worker_code_or_library(frame):
            return  # in the kit's own code: the watchdog asks again in a moment
        self._raise_at = None
        self.ended += 1
        raise CpuLimitExceeded(CPU_LIMIT_EXCEEDED)

    # ---- the watching thread

    def _watch(self) -> None:
        reported = 0.0
        poll = TICK if self.cpu_ms is None else min(TICK, self.cpu_ms / 4000)
        while not self._stop.wait(poll):
            when, cpu = self._beat
            stalled = time.monotonic() - when
            if stalled >= self.after and reported != when:
                reported = when
                self._report(stalled)
            if self._clock is not None and self.cpu_ms is not None and stalled > TICK:
                used = (time.clock_gettime(self._clock) - cpu) * 1000
                if used > self.cpu_ms:
                    self._raise_at = when
                    signal.pthread_kill(self._ident, signal.SIGXCPU)

    def _report(self, stalled: float) -> None:
        frame = sys._current_frames().get(self._ident)
        mine = worker_frames(frame)
        self.blocks += 1
        if not mine:
            where = f"{frame.f_code.co_name} ({frame.f_code.co_filename}:{frame.f_lineno})" if frame else "?"
            log.warning("the event loop has been blocked for %.1f s, in %s", stalled, where)
            return
        inner, outer = mine[0], mine[-1]
        line = linecache.getline(inner.f_code.co_filename, inner.f_lineno).strip()
        log.warning(
            "Worker %s has blocked the event loop for %.1f s: %s() at %s:%d `%s` (in %s); every client "
            "waits meanwhile. Wait with `await asyncio.sleep(...)`, not time.sleep(); let a long "
            "computation `await asyncio.sleep(0)` now and then",
            self.name,
            stalled,
            inner.f_code.co_name,
            Path(inner.f_code.co_filename).name,
            inner.f_lineno,
            line,
            outer.f_code.co_name,
        )


def _is_worker_code_or_library(frame: types.FrameType) -> bool:
    """Whether raising here unwinds through no kit code before the Worker's."""
    return not str(Path(frame.f_code.co_filename).resolve()).startswith(_KIT)
