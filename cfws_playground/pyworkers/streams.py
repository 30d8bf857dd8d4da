"""``ReadableStream``, ``WritableStream`` and ``TransformStream``: as much of the Streams API as
Cloudflare's SDK uses (``workers.asgi``, ``workers.wsgi``) and a request's ``body``.

Chunks are bytes (``Uint8Array`` s in JS; here :class:`~.jsobjects.JsArrayBuffer`,
which has Pyodide's ``to_bytes()``). A readable stream is an async iterator of
chunks (as Pyodide makes a JS stream) and has ``getReader()``; a
``TransformStream`` passes what is written to its ``writable`` side to its
``readable`` side. There is no backpressure: ``write()`` never waits. A
``Response`` whose body is a stream is sent once the stream has ended (the kit
writes whole bodies).
"""

from __future__ import annotations

import asyncio
import inspect
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from .ffi import JsObject, JsProxy
from .jsobjects import JsArrayBuffer, constructor

__all__ = ["ReadableStream", "TransformStream", "WritableStream"]

_DONE = object()


def _chunk_bytes(chunk: Any) -> bytes:
    if isinstance(chunk, str):
        return chunk.encode("utf-8")
    to_bytes = getattr(chunk, "to_bytes", None)
    if callable(to_bytes):
        return bytes(to_bytes())
    data = getattr(chunk, "data", None)  # a buffer view from create_proxy(bytes).getBuffer()
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return bytes(chunk)
    raise TypeError(
        "This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer type."
    )


class _Reader:
    """``stream.getReader()``: ``await reader.read()`` gives ``{done, value}``."""

    def __init__(self, stream: ReadableStream) -> None:
        self._stream = stream

    async def read(self) -> JsObject:
        chunk = await self._stream._next()
        if chunk is _DONE:
            return JsObject(done=True, value=None)
        return JsObject(done=False, value=chunk)

    def releaseLock(self) -> None:
        self._stream.locked = False

    async def cancel(self, reason: Any = None) -> None:
        self._stream._close()


class ReadableStream(JsProxy):
    """Mirrors ``ReadableStream`` (bytes): iterate it with ``async for``, or ``getReader()``."""

    constructor = constructor("ReadableStream")

    def __init__(self) -> None:
        self._chunks: deque[Any] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.locked = False
        self._pull: Any = None  # a source's pull(controller), called while the stream is empty
        self._cancel: Any = None
        self._controller: _Controller | None = None
        self._error: BaseException | None = None

    @classmethod
    def of(cls, data: bytes) -> ReadableStream:
        """A stream that gives ``data`` in one chunk, then ends."""
        stream = cls()
        if data:
            stream._push(JsArrayBuffer(data))
        stream._close()
        return stream

    @staticmethod
    def new(underlying_source: Any = None, strategy: Any = None, **source: Any) -> ReadableStream:
        """``new ReadableStream({start, pull, cancel})`` (Pyodide's keyword form too): a stream whose
        source puts chunks in with ``controller.enqueue()`` and ends it with ``controller.close()``."""
        if underlying_source is not None:
            to_py = getattr(underlying_source, "to_py", None)
            given = to_py() if callable(to_py) else underlying_source
            source = {**dict(given), **source}
        if not callable(source.get("pull")) and not callable(source.get("start")):
            raise TypeError(
                "new ReadableStream() without start() or pull() is not modelled by cfws-playground"
            )
        stream = ReadableStream()
        stream._controller = _Controller(stream)
        stream._pull = source.get("pull")
        stream._cancel = source.get("cancel")
        start = source.get("start")
        if callable(start):
            start(stream._controller)
        return stream

    def _push(self, chunk: Any) -> None:
        self._chunks.append(chunk)
        self._wake()

    def _close(self) -> None:
        self._chunks.append(_DONE)
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _next(self) -> Any:
        while not self._chunks:
            if self._error is not None:
                raise self._error
            if self._pull is not None:
                pulled = self._pull(self._controller)
                if inspect.isawaitable(pulled):
                    await pulled
                continue
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        chunk = self._chunks[0]
        if chunk is not _DONE:
            self._chunks.popleft()
        return chunk

    def getReader(self, options: Any = None) -> _Reader:
        """Mirrors ``getReader()``."""
        if self.locked:
            raise TypeError("This ReadableStream is currently locked to a reader.")
        self.locked = True
        return _Reader(self)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        while (chunk := await self._next()) is not _DONE:
            yield chunk

    async def read_all(self) -> bytes:
        """Every chunk until the end, as one ``bytes`` (what the kit sends as a body)."""
        return b"".join([_chunk_bytes(chunk) async for chunk in self])

    def __repr__(self) -> str:
        return "ReadableStream { locked: " + ("true" if self.locked else "false") + " }"


class _Controller:
    """``ReadableStreamDefaultController``: what a source's ``start``/``pull`` gets."""

    def __init__(self, stream: ReadableStream) -> None:
        self._stream = stream

    def enqueue(self, chunk: Any) -> None:
        self._stream._push(JsArrayBuffer(_chunk_bytes(chunk)))

    def close(self) -> None:
        self._stream._pull = None
        self._stream._close()

    def error(self, reason: Any = None) -> None:
        self._stream._pull = None
        self._stream._error = TypeError(str(reason))
        self._stream._wake()

    @property
    def desiredSize(self) -> int:
        return 1


class _Writer:
    """``writable.getWriter()``: ``write(chunk)`` and ``close()``, both awaitable."""

    def __init__(self, target: ReadableStream) -> None:
        self._target = target
        self.closed_ = False

    async def write(self, chunk: Any) -> None:
        if self.closed_:
            raise TypeError("This WritableStream has been closed.")
        self._target._push(JsArrayBuffer(_chunk_bytes(chunk)))

    async def close(self) -> None:
        if not self.closed_:
            self.closed_ = True
            self._target._close()

    async def abort(self, reason: Any = None) -> None:
        await self.close()

    def releaseLock(self) -> None:
        pass

    @property
    def desiredSize(self) -> int:
        return 1


class WritableStream(JsProxy):
    """Mirrors ``WritableStream``: the writing side of a :class:`TransformStream`."""

    constructor = constructor("WritableStream")

    def __init__(self, target: ReadableStream) -> None:
        self._target = target
        self.locked = False

    def getWriter(self) -> _Writer:
        """Mirrors ``getWriter()``."""
        self.locked = True
        return _Writer(self._target)


class TransformStream(JsProxy):
    """Mirrors ``TransformStream`` (the identity transform): bytes written come out as read."""

    constructor = constructor("TransformStream")

    def __init__(self) -> None:
        self.readable = ReadableStream()
        self.writable = WritableStream(self.readable)

    @staticmethod
    def new(
        transformer: Any = None, writable_strategy: Any = None, readable_strategy: Any = None
    ) -> TransformStream:
        """``new TransformStream()``; a ``transformer`` is not modelled."""
        if transformer is not None:
            raise TypeError("new TransformStream(transformer) is not modelled by cfws-playground")
        return TransformStream()
