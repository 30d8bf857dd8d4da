"""Attachments: structured clone and the size V8's serializer gives a value.

``serializeAttachment()`` refuses a value over 16,384 bytes as V8's
``ValueSerializer`` writes it (format 15, with its header); the sizes here
follow that encoding byte for byte for the Python values a learner can pass.
"""

from __future__ import annotations

import copy
from typing import Any

from .. import errors
from ..errors import DOMException
from ..events import type_name
from .end import End

__all__ = ["ATTACHMENT_LIMIT", "clone", "v8_serialized_size"]

ATTACHMENT_LIMIT = 16384


def clone(value: Any) -> Any:
    """Structured clone, as far as Python values go: bytes-likes become bytes, tuples lists."""
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, tuple):
        return [clone(v) for v in value]
    return copy.deepcopy(value)


def _varint_len(n: int) -> int:
    size = 1
    while n >= 0x80:
        n >>= 7
        size += 1
    return size


def v8_serialized_size(value: Any) -> int:
    """Bytes V8's ValueSerializer (format 15, with header) writes for ``value``."""
    return _v8_value_end(value, 2, set())  # the header: 0xFF and the version


def _v8_value_end(value: Any, at: int, seen: set[int]) -> int:
    """Where V8's buffer ends after writing ``value`` from offset ``at``.

    The offset matters: a two-byte string is preceded by a padding byte when its
    characters would otherwise start at an odd offset (V8 ``WriteString``), so
    the same string costs one byte more or less depending on what came before it.
    """
    if value is None or isinstance(value, bool):
        return at + 1
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return at + 1 + _varint_len(value * 2 if value >= 0 else -value * 2 - 1)  # zigzag
        if abs(value) < 2**53:
            return at + 9  # a double
        digits = (abs(value).bit_length() + 63) // 64
        return at + 1 + _varint_len(digits * 16) + 8 * digits  # a BigInt (Pyodide's conversion)
    if isinstance(value, float):
        return at + 9
    if isinstance(value, str):
        try:
            raw = value.encode("latin-1")
            return at + 1 + _varint_len(len(raw)) + len(raw)
        except UnicodeEncodeError:
            n = len(value.encode("utf-16-le", "surrogatepass"))
            if (at + 1 + _varint_len(n)) & 1:
                at += 1  # kPadding: the UTF-16 code units start at an even offset
            return at + 1 + _varint_len(n) + n
    if isinstance(value, bytes):  # an ArrayBuffer
        return at + 1 + _varint_len(len(value)) + len(value)
    if isinstance(value, (bytearray, memoryview)):  # a Uint8Array: its buffer, then the view
        n = memoryview(value).nbytes
        return at + 1 + _varint_len(n) + n + 1 + 1 + _varint_len(0) + _varint_len(n) + _varint_len(0)
    key = id(value)
    if key in seen:
        return at + 2  # a back-reference
    if isinstance(value, (list, tuple)):
        seen.add(key)
        n = len(value)
        at += 1 + _varint_len(n)
        for v in value:
            at = _v8_value_end(v, at, seen)
        return at + 1 + _varint_len(0) + _varint_len(n)  # kEndDenseJSArray, properties, length
    if isinstance(value, dict):
        seen.add(key)
        at += 1
        for k, v in value.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise DOMException(f"{value!r} could not be cloned.", "DataCloneError")
            at = _v8_value_end(k if isinstance(k, int) else str(k), at, seen)
            at = _v8_value_end(v, at, seen)
        return at + 1 + _varint_len(len(value))
    if isinstance(value, (set, frozenset)):
        seen.add(key)
        at += 1
        for v in value:
            at = _v8_value_end(v, at, seen)
        return at + 1 + _varint_len(len(value))
    if isinstance(value, End):  # a runtime object: workerd's serializer refuses it by name
        raise DOMException(errors.NOT_SERIALIZABLE.format(type="WebSocket"), "DataCloneError")
    raise DOMException(f"{type_name(value)} object could not be cloned.", "DataCloneError")
