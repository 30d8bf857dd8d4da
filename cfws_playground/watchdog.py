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
import weakref
from dataclasses import dataclass
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


def _where(code: types.CodeType, line: int) -> str:
    """``file.py:12``, or ``a notebook cell, line 3`` (a cell's file name is random)."""
    if "ipykernel_" in code.co_filename or code.co_filename.startswith("<ipython-input"):
        return f"a notebook cell, line {line}"
    return f"{Path(code.co_filename).name}:{line}"


def worker_frames(frame: types.FrameType | None) -> list[types.FrameType]:
    """The frames of Worker code on a stack, innermost first."""
    found = []
    while frame is not None:
        if _is_worker_code(frame.f_code.co_filename):
            found.append(frame)
        frame = frame.f_back
    return found


@dataclass(eq=False)
class Watched:
    """One served Worker a watchdog reports on (see :meth:`Watchdog.attach`)."""

    name: str
    namespace: dict[str, Any] | None  # the globals its code runs in, to tell Workers apart
    after: float
    cpu_ms: float | None


_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Watchdog] = weakref.WeakKeyDictionary()


class Watchdog:
    """Watches one event loop's heartbeat from a thread; see the module docstring.

    One watchdog serves every Worker served on a loop (a block is reported
    once, not once per server): get it with :meth:`attach`.

    Attributes:
        after: seconds without a heartbeat before a block is logged (the
            smallest any attached Worker asked for).
        cpu_ms: CPU milliseconds a block may spend before :class:`CpuLimitExceeded`
            is raised in it (the smallest asked for); None for no limit.
    """

    @classmethod
    def attach(
        cls,
        loop: asyncio.AbstractEventLoop,
        name: str,
        namespace: dict[str, Any] | None = None,
        *,
        after: float = 1.0,
        cpu_ms: float | None = None,
    ) -> tuple[Watchdog, Watched]:
        """The loop's watchdog (started on first use, from the loop's thread), watching one more Worker."""
        dog = _BY_LOOP.get(loop)
        if dog is None:
            dog = _BY_LOOP[loop] = cls()
            dog.start(loop)
        watched = Watched(name, namespace, after, cpu_ms)
        dog._watched.append(watched)
        dog._configure()
        return dog, watched

    def detach(self, watched: Watched) -> None:
        """Stop watching for ``watched``; the last one out stops the watchdog."""
        if watched in self._watched:
            self._watched.remove(watched)
        if self._watched:
            self._configure()
            return
        self.stop()
        if self._loop is not None and _BY_LOOP.get(self._loop) is self:
            del _BY_LOOP[self._loop]

    def __init__(self) -> None:
        self._watched: list[Watched] = []
        self.after = float("inf")
        self.cpu_ms: float | None = None
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
        #: The last block's line, as logged ("" before the first).
        self.last = ""

    @property
    def blocked(self) -> float:
        """Seconds since the loop last beat (0 when it is not running a watchdog)."""
        if self._thread is None:
            return 0.0
        return max(0.0, time.monotonic() - self._beat[0])

    def _configure(self) -> None:
        self.after = min(w.after for w in self._watched)
        limits = [w.cpu_ms for w in self._watched if w.cpu_ms is not None]
        self.cpu_ms = min(limits) if limits else None
        if self.cpu_ms is not None and self._clock is None:
            if (
                threading.get_ident() != self._ident
                or threading.current_thread() is not threading.main_thread()
            ):
                log.warning("the CPU-time limit needs the event loop on the main thread: not enforced")
                self.cpu_ms = None
                return
            if not hasattr(time, "pthread_getcpuclockid") or not hasattr(signal, "SIGXCPU"):
                log.warning("the CPU-time limit needs a per-thread CPU clock and SIGXCPU: not enforced here")
                self.cpu_ms = None
                return
            self._clock = time.pthread_getcpuclockid(self._ident)
            self._previous_xcpu = signal.signal(signal.SIGXCPU, self._on_xcpu)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start beating on ``loop`` (call it from the loop's thread) and start the watching thread."""
        from .scope import KIT_CONTEXT

        self._loop = loop
        self._ident = threading.get_ident()
        self._context = KIT_CONTEXT
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
            self._clock = None

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
        while not self._stop.wait(TICK if self.cpu_ms is None else min(TICK, self.cpu_ms / 4000)):
            when, cpu = self._beat
            stalled = time.monotonic() - when
            if stalled >= self.after and reported != when:
                reported = when
                self._report()
            if self._clock is not None and self.cpu_ms is not None and stalled > TICK:
                used = (time.clock_gettime(self._clock) - cpu) * 1000
                if used > self.cpu_ms:
                    self._raise_at = when
                    signal.pthread_kill(self._ident, signal.SIGXCPU)

    def _report(self) -> None:
        frame = sys._current_frames().get(self._ident)
        mine = worker_frames(frame)
        self.blocks += 1
        if not mine:
            where = f"{frame.f_code.co_name} ({_where(frame.f_code, frame.f_lineno)})" if frame else "?"
            self.last = f"the event loop has been blocked for more than {self.after:g} s, in {where}"
        else:
            inner, outer = mine[0], mine[-1]
            line = linecache.getline(inner.f_code.co_filename, inner.f_lineno).strip()
            self.last = (
                f"Worker {self._name_of(outer)} has blocked the event loop for more than {self.after:g} s: "
                f"{inner.f_code.co_name}() at {_where(inner.f_code, inner.f_lineno)} `{line}` "
                f"(in {outer.f_code.co_name}); every client waits meanwhile. Wait with "
                "`await asyncio.sleep(...)`, not time.sleep(); let a long computation "
                "`await asyncio.sleep(0)` now and then"
            )
        log.warning("%s", self.last)

    def _name_of(self, frame: types.FrameType) -> str:
        """The Worker whose code ``frame`` runs: the newest one with that module, else the newest."""
        watched = list(self._watched)
        for w in reversed(watched):
            if w.namespace is frame.f_globals:
                return w.name
        return watched[-1].name if watched else "?"


def _is_worker_code_or_library(frame: types.FrameType) -> bool:
    """Whether raising here unwinds through no kit code before the Worker's."""
    return not str(Path(frame.f_code.co_filename).resolve()).startswith(_KIT)
