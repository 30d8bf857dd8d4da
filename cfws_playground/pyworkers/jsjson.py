"""JavaScript's ``JSON`` for code the kit runs: values as Pyodide shows them, errors as V8 words them.

``JSON.parse(text)`` gives JS objects and arrays as ``JsProxy`` objects and
``null`` as ``jsnull``. Text that is not JSON raises ``JsException`` named
``SyntaxError`` with V8's message, as in workerd (``py-throws-json-parse-error``):
``Expected property name or '}' in JSON at position 1 (line 1 column 2)``,
``Unexpected end of JSON input``, ``Unexpected token 'x', "x" is not valid JSON``.
Python's own extensions (``NaN``, ``Infinity``) are refused as JavaScript refuses them.

The messages follow V8's JSON parser (``src/json/json-parser.cc``): its
message for each place a parse can fail, the position of the character that
failed, and ten characters of context either side of an unexpected token in a
text of more than 21 characters.
"""

from __future__ import annotations

import json as _json
from typing import Any

from .ffi import JsArray, JsException, JsNull, JsObject, jsnull, to_py

__all__ = ["JSON", "v8_json_error"]


class JSON:
    """JavaScript's ``JSON``."""

    @staticmethod
    def parse(text: Any) -> Any:
        """JS values as Pyodide shows them: objects and arrays are JsProxy objects, ``null`` is ``jsnull``."""
        from .jsproxy import js_string

        source = js_string(text)
        error = v8_json_error(source)
        if error is not None:
            raise JsException(error, name="SyntaxError")
        return _from_json(_json.loads(source))

    @staticmethod
    def stringify(value: Any, replacer: Any = None, space: Any = None) -> str:
        separators = (",", ":") if space is None else None
        return _json.dumps(
            to_py(value), separators=separators, indent=space, ensure_ascii=False, default=_to_json
        )


def _from_json(value: Any) -> Any:
    if value is None:
        return jsnull
    if isinstance(value, list):
        return JsArray(_from_json(v) for v in value)
    if isinstance(value, dict):
        return JsObject((k, _from_json(v)) for k, v in value.items())
    return value


def _to_json(value: Any) -> Any:
    if isinstance(value, JsNull):
        return None
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# ---------------------------------------------------------------------- V8's messages

_WHITESPACE = " \t\n\r"
_CONTEXT = 10  # characters shown either side of an unexpected token
_SHORT = 2 * _CONTEXT + 1  # a text this long or shorter is shown whole
_SPECIAL = ("NaN", "Infinity", "undefined", "[object Object]")


def _digit(char: str) -> bool:
    return len(char) == 1 and "0" <= char <= "9"


class _Fail(Exception):  # noqa: N818 - internal signal
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def v8_json_error(text: str) -> str | None:
    """V8's ``SyntaxError`` message for ``JSON.parse(text)``, or None when ``text`` is JSON."""
    try:
        _Parser(text).parse()
    except _Fail as fail:
        return fail.message
    return None


class _Parser:
    """A JSON validator that fails where V8 fails, with V8's message."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # ------------------------------------------------------------ reporting

    def at(self, message: str, pos: int | None = None) -> _Fail:
        pos = self.pos if pos is None else pos
        before = self.text[:pos]
        line = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
        start = max(before.rfind("\n"), before.rfind("\r")) + 1
        where = "" if message.endswith("JSON") else " in JSON"
        return _Fail(f"{message}{where} at position {pos} (line {line} column {pos - start + 1})")

    def unexpected(self, pos: int | None = None) -> _Fail:
        pos = self.pos if pos is None else pos
        text = self.text
        if pos >= len(text):
            return _Fail("Unexpected end of JSON input")
        char = text[pos]
        if char == '"':
            return self.at("Unexpected string", pos)
        if _digit(char) or char == "-":
            return self.at("Unexpected number", pos)
        if text in _SPECIAL:
            return _Fail(f'"{text}" is not valid JSON')
        if len(text) <= _SHORT:
            shown = f'"{text}"'
        elif pos < _CONTEXT:
            shown = f'"{text[: pos + _CONTEXT]}"...'
        elif pos < len(text) - _CONTEXT:
            shown = f'..."{text[pos - _CONTEXT : pos + _CONTEXT]}"...'
        else:
            shown = f'..."{text[pos - _CONTEXT :]}"'
        return _Fail(f"Unexpected token '{char}', {shown} is not valid JSON")

    # ------------------------------------------------------------ scanning

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        self.pos = pos

    def parse(self) -> None:
        self.skip()
        self.value()
        self.skip()
        if self.pos < len(self.text):
            raise self.at("Unexpected non-whitespace character after JSON")

    def value(self) -> None:
        char = self.peek()
        if char == '"':
            self.string()
        elif char == "{":
            self.object()
        elif char == "[":
            self.array()
        elif char == "-" or _digit(char):
            self.number()
        elif char in ("t", "f", "n"):
            self.literal({"t": "true", "f": "false", "n": "null"}[char])
        else:
            raise self.unexpected()

    def literal(self, word: str) -> None:
        for expected in word:
            if self.peek() != expected:
                raise self.unexpected()
            self.pos += 1

    def number(self) -> None:
        if self.peek() == "-":
            self.pos += 1
            if not _digit(self.peek()):
                raise self.at("No number after minus sign")
        if self.peek() == "0":
            self.pos += 1
            if _digit(self.peek()):
                raise self.unexpected()
        else:
            self.digits()
        if self.peek() == ".":
            self.pos += 1
            if not _digit(self.peek()):
                raise self.at("Unterminated fractional number")
            self.digits()
        if self.peek() in ("e", "E"):
            self.pos += 1
            if self.peek() in ("+", "-"):
                self.pos += 1
            if not _digit(self.peek()):
                raise self.at("Exponent part is missing a number")
            self.digits()

    def digits(self) -> None:
        while _digit(self.peek()):
            self.pos += 1

    def string(self) -> None:
        text = self.text
        self.pos += 1  # the opening quote
        while True:
            if self.pos >= len(text):
                raise self.at("Unterminated string")
            char = text[self.pos]
            if char == '"':
                self.pos += 1
                return
            if char < " ":
                raise self.at("Bad control character in string literal")
            if char == "\\":
                self.pos += 1
                escape = self.peek()
                if escape == "u":
                    for k in range(1, 5):
                        if self.pos + k >= len(text) or text[self.pos + k] not in "0123456789abcdefABCDEF":
                            raise self.at("Bad Unicode escape", self.pos + k)
                    self.pos += 4
                elif escape == "":
                    raise self.unexpected()  # the text ends inside the escape
                elif escape not in '"\\/bfnrt':
                    raise self.at("Bad escaped character")
            self.pos += 1

    def object(self) -> None:
        self.pos += 1
        self.skip()
        if self.peek() == "}":
            self.pos += 1
            return
        first = True
        while True:
            if self.peek() != '"':
                message = "Expected property name or '}'" if first else "Expected double-quoted property name"
                raise self.at(message)
            first = False
            self.string()
            self.skip()
            if self.peek() != ":":
                raise self.at("Expected ':' after property name")
            self.pos += 1
            self.skip()
            self.value()
            self.skip()
            char = self.peek()
            if char == "}":
                self.pos += 1
                return
            if char != ",":
                raise self.at("Expected ',' or '}' after property value")
            self.pos += 1
            self.skip()

    def array(self) -> None:
        self.pos += 1
        self.skip()
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            self.value()
            self.skip()
            char = self.peek()
            if char == "]":
                self.pos += 1
                return
            if char != ",":
                raise self.at("Expected ',' or ']' after array element")
            self.pos += 1
            self.skip()
