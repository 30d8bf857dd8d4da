"""JavaScript's conversion of a value to a number, and workerd's to an ``int`` argument.

A Python Worker's arguments reach workerd as JS values, and workerd's C++ methods
convert them as V8 does. ``close("1000")`` is ``close(1000)`` because JS's
``Number("1000")`` is 1000; ``Number("0x3e8")`` is 1000 too, while
``Number("1_000")`` and ``Number("١٠٠٠")`` are NaN, where Python's ``float()``
would read 1000 (measured on workerd 2026-11-23: scenario
``close-code-js-number-parsing``).

An ``int`` parameter of a workerd method (JSG) then takes NaN and the infinities
as 0, truncates toward zero, and refuses what falls outside the 32-bit range with
``TypeError: Value out of range. Must be between -2147483648 and 2147483647
(inclusive).`` rather than wrapping as WebIDL's ``long`` would.
"""

from __future__ import annotations

import math
import re

__all__ = ["INT32_OUT_OF_RANGE", "js_int32_argument", "string_to_number"]

INT32_OUT_OF_RANGE = "Value out of range. Must be between -2147483648 and 2147483647 (inclusive)."

# ECMAScript's WhiteSpace and LineTerminator code points (StrWhiteSpaceChar).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # noqa: E501
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_RADIX = {"x": (16, re.compile(r"[0-9a-fA-F]+")), "o": (8, re.compile(r"[0-7]+")), "b": (2, re.compile(r"[01]+"))}


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
        raise TypeError(INT32_OUT_OF_RANGE)
    return n
