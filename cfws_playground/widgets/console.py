"""The pair console: drive either end of a pair with buttons, and see what the runtime says.

For each end: ``accept()``, ``send()`` (the text box as text, or its UTF-8
bytes when *binary* is ticked), ``close(code, reason)`` (an empty box means
the argument is left out) and ``binaryType``. A compatibility-date choice and
a *new pair* button make a fresh pair with that date's behaviour (a pair keeps
the behaviour it was created with). When the runtime rejects an action, the
console shows the exact error it raised — class and text, as
:func:`~cfws_playground.widgets._common.describe_error` spells it — instead
of a traceback. The console holds no protocol state: every button calls the
public API of the pair, and what happened is read from the recorder (an
:class:`~cfws_playground.widgets.EventStream` of it is shown below). The state
labels follow the recorder too: a close handshake that completes later, or a
call made from code, shows in them as it does in the table.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..compat import FLAGS, compatibility
from ..recorder import Recorder
from ..socket import WebSocket, WebSocketPair
from ._common import END_NAMES, describe_error, state_name, style_tag
from ._throttle import Coalescer
from .event_stream import EventStream

__all__ = ["PairConsole", "compatibility_choices"]


def compatibility_choices() -> list[tuple[str, str | None]]:
    """(label, date) for today's runtime and the day before each dated flag became default."""
    choices: list[tuple[str, str | None]] = [("today's runtime", None)]
    for flag in FLAGS:
        if flag.default_from is None:
            continue
        before = datetime.date.fromisoformat(flag.default_from) - datetime.timedelta(days=1)
        choices.append((f"{before.isoformat()} (before {flag.enable})", before.isoformat()))
    return choices


class _EndControls:
    """The controls of one end (plain holder; the console wires them)."""

    def __init__(self, end: str) -> None:
        self.end = end
        auto = w.Layout(width="auto")
        self.title = w.HTML(f"<b class='cfws-end-{end}'>{end}</b>", layout=w.Layout(width="48px"))
        self.state = w.Label("", layout=w.Layout(width="72px"))
        self.accept = w.Button(description="accept()", layout=auto)
        self.message = w.Text(value="hello", placeholder="message", layout=w.Layout(width="110px"))
        self.binary = w.Checkbox(
            value=False, description="binary", indent=False, layout=w.Layout(width="auto", min_width="84px")
        )
        self.send = w.Button(description="send()", layout=auto)
        self.code = w.Text(value="1000", placeholder="code", layout=w.Layout(width="52px"))
        self.reason = w.Text(value="bye", placeholder="reason", layout=w.Layout(width="80px"))
        self.close = w.Button(description="close()", layout=auto)
        self.binary_type = w.Dropdown(
            options=["blob", "arraybuffer"],
            description="binaryType",
            layout=w.Layout(width="180px"),
            style={"description_width": "initial"},
        )
        self.box = w.HBox(
            [
                self.title,
                self.state,
                self.accept,
                self.message,
                self.binary,
                self.send,
                self.code,
                self.reason,
                self.close,
                self.binary_type,
            ],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )


class PairConsole(w.VBox):  # type: ignore[misc]
    """Buttons and inputs that call ``accept()``, ``send()`` and ``close()`` on either end.

    Example::

        console = PairConsole()          # a new pair, with an event stream below
        console                          # click; rows appear
        console.call("client", "send", "hi")   # what the send button does
        print(console.text())

    Args:
        pair: the pair to drive; ``None`` makes one (with today's runtime).
        recorder: the recorder to record into; ``None`` makes one watching the pair.
        stream: show an :class:`EventStream` of the recorder under the controls.

    Attributes:
        pair: the pair the buttons act on (replaced by :meth:`new_pair`).
        recorder: the recorder.
        error: the last error an action raised, as text (``""`` after a success).
        stream: the event stream shown, or ``None``.
    """

    def __init__(
        self,
        pair: WebSocketPair | None = None,
        *,
        recorder: Recorder | None = None,
        stream: bool = True,
    ) -> None:
        self.pair = pair if pair is not None else WebSocketPair()
        self.recorder = recorder if recorder is not None else Recorder(self.pair)
        self.recorder.watch(self.pair)
        self.error = ""
        self.date: str | None = self.pair.compatibility.date
        self.ends = {end: _EndControls(end) for end in END_NAMES}
        # Dropdown values are strings: "" stands for today's runtime.
        self.compat = w.Dropdown(
            options=[(label, d or "") for label, d in compatibility_choices()],
            value="",
            description="compatibility",
            layout=w.Layout(width="420px"),
            style={"description_width": "initial"},
        )
        if self.date in [d for _, d in compatibility_choices()]:
            self.compat.value = self.date or ""
        self.new_pair_button = w.Button(description="new pair", layout=w.Layout(width="90px"))
        self.pair_label = w.Label("")
        self.error_view = w.HTML("")
        self.error_view.add_class("cfws-console-error")
        self.stream = EventStream(self.recorder) if stream else None
        self._refreshing = False
        for end, c in self.ends.items():
            c.accept.on_click(self._guard(lambda _b, end=end: self.call(end, "accept")))
            c.send.on_click(
                self._guard(
                    lambda _b, end=end, c=c: self.call(
                        end, "send", c.message.value.encode() if c.binary.value else c.message.value
                    )
                )
            )
            c.close.on_click(
                self._guard(
                    lambda _b, end=end, c=c: self.call(
                        end, "close", *_close_args(c.code.value, c.reason.value)
                    )
                )
            )
            c.binary_type.observe(
                self._guard(lambda ch, end=end: self._binary_type_chosen(end, ch["new"])), names="value"
            )
        self.new_pair_button.on_click(self._guard(lambda _b: self.new_pair(self.compat.value or None)))
        # The style sheet travels with the console: its colours follow the theme.
        header = w.HBox([self.compat, self.new_pair_button, self.pair_label, w.HTML(style_tag())])
        children: list[Any] = [header, *(c.box for c in self.ends.values()), self.error_view]
        if self.stream is not None:
            children.append(self.stream)
        super().__init__(children)
        self.add_class("cfws-console")
        self._refresh()
        # The labels follow the recorder, not only the console's own actions: the
        # runtime finishes a close handshake (2 CLOSING -> 3 CLOSED) turns later.
        self._follow = Coalescer(self.recorder, lambda _batch, _overflow: self._refresh())

    # ------------------------------------------------------------------ actions

    def _ws(self, end: str) -> WebSocket:
        if end not in END_NAMES:
            raise ValueError(f"end must be 'client' or 'server', not {end!r}")
        return self.pair[END_NAMES.index(end)]

    def _act(self, fn: Callable[[], None]) -> bool:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - shown to the learner, exactly
            self.error = describe_error(exc)
            ok = False
        else:
            self.error = ""
            ok = True
        self._refresh()
        return ok

    def _guard(self, handler: Callable[..., Any]) -> Callable[..., None]:
        # A widget callback that raises ends up in the kernel log, not in front
        # of the learner: show it in the console instead.
        def guarded(*args: Any) -> None:
            try:
                handler(*args)
            except Exception as exc:  # noqa: BLE001
                self.error = describe_error(exc)
                self._refresh()

        return guarded

    def call(self, end: str, method: str, *args: Any) -> bool:
        """Call ``accept``, ``send`` or ``close`` on ``end`` with ``args``, as the buttons do.

        Returns:
            Whether the call succeeded; the error it raised is in :attr:`error`
            and shown in the console.
        """
        if method not in ("accept", "send", "close"):
            raise ValueError(f"method must be 'accept', 'send' or 'close', not {method!r}")
        ws = self._ws(end)
        return self._act(lambda: getattr(ws, method)(*args))

    def _binary_type_chosen(self, end: str, value: str) -> None:
        if not self._refreshing:  # the learner chose it, not a refresh showing the end's value
            self.set_binary_type(end, value)

    def set_binary_type(self, end: str, value: str) -> bool:
        """Set ``binaryType`` on ``end``."""

        def assign() -> None:
            self._ws(end).binaryType = value

        return self._act(assign)

    def new_pair(self, date: str | None = None) -> WebSocketPair:
        """Make a fresh pair with the behaviour of compatibility ``date`` and drive it from now on."""
        with compatibility(date=date):
            pair = WebSocketPair()
        self.pair = pair
        self.date = date
        self.recorder.watch(pair)
        self.error = ""
        for c in self.ends.values():
            c.binary_type.value = pair[END_NAMES.index(c.end)].binaryType
        self._refresh()
        return pair

    def close(self) -> None:
        """Close the console's widgets and its event stream (the pair is left as it is)."""
        follow = getattr(self, "_follow", None)
        if follow is not None:
            follow.close()
        stream = getattr(self, "stream", None)  # absent if __init__ failed
        if stream is not None:
            stream.close()
        for c in getattr(self, "ends", {}).values():
            for child in c.box.children:
                child.close()
            c.box.close()
        super().close()

    # ------------------------------------------------------------------ view

    def _refresh(self) -> None:
        number = self.recorder.watch(self.pair)
        self.pair_label.value = f"pair {number}"
        self._refreshing = True
        try:
            for c in self.ends.values():
                ws = self._ws(c.end)
                c.state.value = state_name(ws.readyState)
                if c.binary_type.value != ws.binaryType:
                    c.binary_type.value = ws.binaryType
        finally:
            self._refreshing = False
        self.error_view.value = (
            "" if not self.error else f"<span class='cfws-console-error'>✗ {_escape(self.error)}</span>"
        )

    def text(self) -> str:
        """What the console shows, as deterministic text."""
        number = self.recorder.watch(self.pair)
        lines = [
            f"PairConsole: pair {number}, "
            + (f"compatibility date {self.date}" if self.date else "today's runtime")
        ]
        for end in END_NAMES:
            ws = self._ws(end)
            lines.append(
                f"  {end:<6}  readyState {state_name(ws.readyState):<12} binaryType {ws.binaryType!r}"
            )
        lines.append(f"  error: {self.error}" if self.error else "  no error")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.text())

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        data = super()._repr_mimebundle_(**kwargs)
        if data is not None:
            data["text/plain"] = self.text()
        return data  # type: ignore[no-any-return]


def _close_args(code_text: str, reason: str) -> tuple[Any, ...]:
    """The arguments of ``close()`` from the two boxes; an empty box leaves its argument out."""
    text = code_text.strip()
    code: int | str | None
    try:
        code = int(text) if text else None
    except ValueError:
        code = text  # the runtime says what it makes of it
    if not reason:
        return () if code is None else (code,)
    return (code, reason)


def _escape(text: str) -> str:
    import html

    return html.escape(text)
