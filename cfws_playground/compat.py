"""Compatibility dates and flags: which workerd behaviour a pair gets.

A Worker picks its behaviour with a compatibility date and flags (see
``src/workerd/io/compatibility-date.capnp``). Pairs made inside
``with compatibility(date=..., flags=[...]):`` take that behaviour for their
whole life; pairs made outside take today's runtime, the newest behaviour the
kit knows (the wall clock is never read). Changes workerd made without a flag
(close codes raising ``InvalidAccessError``, the 32 MiB network limit, the
16 KiB attachment limit) apply at every date.
"""

from __future__ import annotations

import contextvars
import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType

__all__ = ["FLAGS", "Flag", "compatibility"]


@dataclass(frozen=True, slots=True)
class Flag:
    """One compatibility flag: its enable and disable names and the date it became default."""

    enable: str
    disable: str | None
    default_from: str | None  # ISO date, or None for opt-in only
    effect: str


#: The flags the kit models, newest first.
FLAGS: tuple[Flag, ...] = (
    Flag(
        "spec_compliant_dispatch_exceptions",
        "no_spec_compliant_dispatch_exceptions",
        "2026-09-15",
        "A raising listener no longer stops the remaining listeners of that event, and "
        "dispatchEvent() returns normally; the socket is still errored.",
    ),
    Flag(
        "web_socket_auto_reply_to_close",
        "web_socket_manual_reply_to_close",
        "2026-04-07",
        "On receiving a Close, reply with the same code and reason before the close event "
        "(readyState 3 inside it). accept({'allowHalfOpen': True}) opts one socket out.",
    ),
    Flag(
        "websocket_standard_binary_type",
        "no_websocket_standard_binary_type",
        "2026-03-17",
        'binaryType defaults to "blob": binary messages arrive as Blob, not bytes.',
    ),
    Flag(
        "websocket_close_reason_byte_limit",
        "no_websocket_close_reason_byte_limit",
        "2026-03-03",
        "close() rejects a reason over 123 UTF-8 bytes with a SyntaxError DOMException.",
    ),
    Flag(
        "web_socket_compression",
        "no_web_socket_compression",
        "2023-08-15",
        "Served connections negotiate permessage-deflate when the client offers it.",
    ),
    Flag(
        "pedantic_wpt",
        "non_pedantic_wpt",
        None,
        "close() accepts only code 1000 or 3000-4999.",
    ),
    Flag(
        "increase_websocket_message_size",
        None,
        None,
        "Experimental: served connections accept messages up to 128 MiB instead of 32 MiB.",
    ),
)

_BY_NAME: dict[str, tuple[Flag, bool]] = {}
for _flag in FLAGS:
    _BY_NAME[_flag.enable] = (_flag, True)
    if _flag.disable:
        _BY_NAME[_flag.disable] = (_flag, False)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_current: contextvars.ContextVar[compatibility | None] = contextvars.ContextVar(
    "cfws_playground_compatibility", default=None
)


class compatibility:  # noqa: N801 - used like contextlib.suppress
    """Choose the workerd behaviour of the pairs you create.

    Use it as a context manager::

        with compatibility(date="2026-03-01", flags=["web_socket_manual_reply_to_close"]):
            old = WebSocketPair()     # keeps this behaviour for its whole life

    Args:
        date: a compatibility date, ``"YYYY-MM-DD"``. ``None`` means the newest
            behaviour the kit knows (today's runtime).
        flags: flag names to turn on (``web_socket_auto_reply_to_close``) or off
            (``web_socket_manual_reply_to_close``), as in ``wrangler.toml``.

    Listener exceptions follow workerd by date: before 2026-09-15 a raising
    listener stops the remaining listeners for that event and errors its socket;
    from then (``spec_compliant_dispatch_exceptions``, measured on workerd
    2026-11-17) the remaining listeners still run, and the socket is still errored.

    Raises:
        ValueError: a malformed date, an unknown flag, or a flag given both ways.

    Attributes:
        date: the date given, or ``None``.
        flags: the flags given, in order.
        enabled: the name of every flag in effect after the date and flags apply.
    """

    __slots__ = ("date", "enabled", "flags", "_token")

    def __init__(self, date: str | None = None, flags: Iterable[str] = ()) -> None:
        if isinstance(flags, str):
            raise TypeError(f"flags must be a list of flag names, not the str {flags!r}")
        self.flags = tuple(flags)
        if date is not None:
            if not isinstance(date, str) or not _DATE.fullmatch(date):
                raise ValueError(f"compatibility date must look like '2026-04-07', not {date!r}")
            try:
                datetime.date.fromisoformat(date)
            except ValueError:
                raise ValueError(f"compatibility date {date!r} is not a real date") from None
        self.date = date
        enabled = {
            f.enable for f in FLAGS if f.default_from is not None and (date is None or date >= f.default_from)
        }
        chosen: dict[str, tuple[str, bool]] = {}
        for name in self.flags:
            if name not in _BY_NAME:
                known = ", ".join(sorted(_BY_NAME))
                raise ValueError(f"unknown compatibility flag {name!r}; the kit knows: {known}")
            flag, on = _BY_NAME[name]
            if flag.enable in chosen and chosen[flag.enable][1] != on:
                raise ValueError(
                    f"compatibility flags {chosen[flag.enable][0]!r} and {name!r} contradict each other"
                )
            chosen[flag.enable] = (name, on)
            if on:
                enabled.add(flag.enable)
            else:
                enabled.discard(flag.enable)
        self.enabled = frozenset(enabled)
        self._token: contextvars.Token[compatibility | None] | None = None

    @classmethod
    def current(cls) -> compatibility:
        """Return the behaviour a pair created here would get."""
        return _current.get() or _TODAY

    def __contains__(self, flag: str) -> bool:
        return flag in self.enabled

    def __enter__(self) -> compatibility:
        if self._token is not None:
            raise RuntimeError("this compatibility() block is already active")
        self._token = _current.set(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._token is not None
        _current.reset(self._token)
        self._token = None

    def __repr__(self) -> str:
        args = [] if self.date is None else [f"date={self.date!r}"]
        if self.flags:
            args.append(f"flags={list(self.flags)!r}")
        return f"compatibility({', '.join(args)})"

    def describe(self) -> str:
        """Return one line per flag the kit models: on or off, and what it does."""
        lines = [f"{self!r}" if (self.date or self.flags) else "today's runtime (newest behaviour)"]
        for f in FLAGS:
            mark = "on " if f.enable in self.enabled else "off"
            since = f"default from {f.default_from}" if f.default_from else "opt-in"
            lines.append(f"  [{mark}] {f.enable} ({since})")
        return "\n".join(lines)

    # Shorthands the runtime reads.
    @property
    def auto_reply_to_close(self) -> bool:
        return "web_socket_auto_reply_to_close" in self.enabled

    @property
    def standard_binary_type(self) -> bool:
        return "websocket_standard_binary_type" in self.enabled

    @property
    def close_reason_byte_limit(self) -> bool:
        return "websocket_close_reason_byte_limit" in self.enabled

    @property
    def pedantic_wpt(self) -> bool:
        return "pedantic_wpt" in self.enabled

    @property
    def spec_compliant_dispatch_exceptions(self) -> bool:
        return "spec_compliant_dispatch_exceptions" in self.enabled

    @property
    def web_socket_compression(self) -> bool:
        return "web_socket_compression" in self.enabled

    @property
    def max_message_size(self) -> int:
        """The inbound limit on served connections (measured after inflation)."""
        return (128 << 20) if "increase_websocket_message_size" in self.enabled else (32 << 20)


_TODAY = compatibility()
