"""JavaScript's conversions of the values a learner passes to ``send()`` and ``close()``.

workerd converts arguments with V8 and WebIDL: text is held as UTF-16 (so lone
surrogates survive until the wire), numbers print as ``Number::toString`` does,
and a reason is a USVString. The kit converts the Python values a learner
passes the same way, and says what workerd would have done where it refuses
(kit-decisions 1). Numbers given as text are read as JavaScript's ``Number()``
reads them, not as Python's ``float()``. Also here: how an exception prints as
V8 formats it.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .. import errors
from ..errors import DOMException
from ..events import Blob, type_name

__all__ = [
    "MISSING",
    "WTF8",
    "coerce_close_code",
    "coerce_close_reason",
    "coerce_message",
    "js_int32_argument",
    "js_message",
    "js_name",
    "js_number_to_string",
    "js_to_string",
    "string_to_number",
    "received_text",
    "uncaught_message",
    "usv_string",
    "wtf8_text",
]

#: An argument that was not passed (``send()`` with no message).
MISSING: Any = object()


def coerce_message(message: Any) -> str | bytes:
    """send()'s argument as a frame: text (str) or binary (bytes)."""
    cls = type(message)
    if cls is str:
        if message.isascii():
            return message  # type: ignore[no-any-return]
        return wtf8_text(message)
    if cls is bytes:
        return message  # type: ignore[no-any-return]
    if isinstance(message, bytearray):
        return bytes(message)
    if isinstance(message, memoryview):
        return message.tobytes()  # only the viewed bytes, like an ArrayBufferView
    if isinstance(message, str):
        return wtf8_text(str(message))
    if isinstance(message, bytes):
        return bytes(message)
    if isinstance(message, bool):
        return "true" if message else "false"
    if isinstance(message, int):
        return str(int(message))
    if isinstance(message, float):
        return js_number_to_string(message)
    if message is MISSING:
        raise TypeError(errors.SEND_NO_ARGUMENT)
    if not isinstance(message, (dict, list, tuple, set, frozenset, Blob)) and message is not None:
        try:
            return memoryview(message).tobytes()  # any buffer: array.array, numpy arrays, ...
        except TypeError:
            pass
    would = js_to_string(message)
    raise TypeError(
        f"send() takes str or bytes-like data (or an int, float or bool), not {type_name(message)}. "
        f"workerd would have sent the text {would!r} (JavaScript's ToString). "
        "To send structured data, serialize it: ws.send(json.dumps(value)), "
        "as you would use JSON.stringify in JavaScript."
    )


class WTF8(str):
    """Text holding lone surrogates. workerd sends it as WTF-8 bytes, which are not
    valid UTF-8: a network client fails the connection (1007), an in-process
    peer reads each of those bytes as U+FFFD (observed)."""

    __slots__ = ()


def wtf8_text(text: str) -> str:
    """send()'s text as JS holds it: surrogate pairs combine; lone surrogates are kept, marked."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        joined = text.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
        try:
            joined.encode("utf-8")
            return joined  # only surrogate pairs, now whole characters
        except UnicodeEncodeError:
            return WTF8(joined)


def received_text(data: str) -> str:
    """What a peer that decodes UTF-8 with replacement reads for ``data`` (see :class:`WTF8`)."""
    if type(data) is WTF8:
        return data.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return data


def usv_string(text: str) -> str:
    """WebIDL USVString: pairs of surrogates combine, lone surrogates become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def coerce_close_code(code: Any) -> int:
    """A close code as workerd's ``int`` parameter receives it from JS.

    JS converts the value to a number (``Number()``: ``"1000"``, ``" 1000 "``,
    ``"0x3e8"`` and ``"1e3"`` are 1000; ``"1_000"`` and ``"١٠٠٠"`` are NaN,
    where Python's ``float()`` would read 1000); NaN and the infinities become 0,
    fractions are cut toward zero, and a number outside the 32-bit range raises
    workerd's ``TypeError: Value out of range. ...`` instead of wrapping (measured
    on workerd 2026-11-23: scenario ``close-code-js-number-parsing``).

    Deliberate difference (kit-decisions 1): values JS would convert by other
    means raise TypeError, saying what workerd would have done.
    """
    if not isinstance(code, (str, int, float)):
        would = js_to_string(code)
        raise TypeError(
            f"close() code must be a number, not {type_name(code)}. workerd would have converted "
            f"{would!r} to a number, and most likely thrown 'Invalid WebSocket close code'."
        )
    return js_int32_argument(code)


# ECMAScript's WhiteSpace and LineTerminator code points (StrWhiteSpaceChar).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # noqa: E501
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_RADIX = {
    "x": (16, re.compile(r"[0-9a-fA-F]+")),
    "o": (8, re.compile(r"[0-7]+")),
    "b": (2, re.compile(r"[01]+")),
}


def string_to_number(text: str) -> float:
    """ECMAScript ``StringToNumber``: what ``Number(text)`` gives, NaN when JS would."""
    body = text.strip(_JS_SPACE)
    if not body:
        return 0.0
    if len(body) > 2 and body[0] == "0" and body[1] in "xXoObB":
        radix, digits = _RADIX[body[1].lower()]
        if not digits.fullmatch(body[2:]):
            return math.nan
        try:
            return float(int(body[2:], radix))
        except OverflowError:
            return math.inf
    if not _DECIMAL.fullmatch(body):
        return math.nan
    return float(body)


def to_number(value: object) -> float:
    """ECMAScript ``ToNumber`` for the Python values a learner passes (str, bool, int, float)."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str):
        return string_to_number(value)
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, float):
        return value
    raise TypeError(f"not a value JavaScript converts to a number here: {type(value).__name__}")


def js_int32_argument(value: object) -> int:
    """A value as a workerd ``int`` parameter receives it (see the module docstring).

    Raises:
        TypeError: the number is outside the signed 32-bit range (workerd's text).
    """
    x = to_number(value)
    if math.isnan(x) or math.isinf(x):
        return 0
    n = int(x)  # truncates toward zero
    if not -(2**31) <= n < 2**31:
        raise TypeError(errors.VALUE_OUT_OF_RANGE)
    return n


def coerce_close_reason(reason: Any) -> str:
    """close()'s reason as JS converts it: numbers and booleans to their JS text.

    Deliberate difference (kit-decisions 1): other values raise TypeError as send() does.
    """
    if isinstance(reason, str):
        return reason
    if isinstance(reason, bool):
        return "true" if reason else "false"
    if isinstance(reason, int):
        return str(reason)
    if isinstance(reason, float):
        return js_number_to_string(reason)
    raise TypeError(
        f"close() reason must be a str (or a number or bool), not {type_name(reason)}. "
        f"workerd would have sent the reason {js_to_string(reason)!r} (JavaScript's ToString)."
    )


def js_to_string(value: Any) -> str:
    """What JS ``String(value)`` gives for the Python value a learner passed."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number_to_string(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ",".join("" if v is None else js_to_string(v) for v in value)
    if isinstance(value, Blob):
        return "[object Blob]"
    if isinstance(value, (set, frozenset)):
        return "[object Set]"
    return "[object Object]"


def js_number_to_string(x: float) -> str:
    """ECMAScript ``Number::toString``: ``1.0`` -> ``"1"``, ``1e21`` -> ``"1e+21"``, nan -> ``"NaN"``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    if x < 0:
        return "-" + js_number_to_string(-x)
    mantissa, _, exp = repr(x).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = (int_part + frac_part).lstrip("0")
    # Position of the decimal point relative to the start of the significant digits.
    n = len(int_part.lstrip("0")) + (int(exp) if exp else 0)
    if not int_part.lstrip("0"):
        n = -(len(frac_part) - len(frac_part.lstrip("0"))) + (int(exp) if exp else 0)
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{head}e{sign}{abs(e)}"


def uncaught_message(exc: BaseException) -> str:
    """An ErrorEvent's ``message`` for an exception, as V8 formats it for workerd.

    For a DOMException it is only ``"Uncaught "`` (measured on workerd 2026-11-17:
    scenario echo-1005-throws-peer-sees-1006); the exception is in ``event.error``.
    """
    if isinstance(exc, DOMException):
        return "Uncaught "
    return f"Uncaught {js_name(exc)}: {js_message(exc)}"


js_name = errors.js_name
js_message = errors.js_message
