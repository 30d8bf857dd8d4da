"""The sequence diagram: two lifelines and an arrow per frame, as drawn on a whiteboard.

Built from the same records as the event stream. Each record is one row,
top to bottom. A frame is an arrow from the row where one end sent it
(``send()``, ``close()``) to the row where the other end dispatched it
(``message``, ``close``): frames travel in order in each direction, so the
n-th frame sent by the client is the n-th one the server receives. A close
the runtime sent by itself (workerd's automatic reply to a Close) starts where
the replying end received the Close. ``readyState`` changes are marked on the
lifeline where they happen; errors are crosses.

:func:`diagram` computes the picture as data; :func:`render_svg` and
:func:`render_text` draw it (SVG for the widget, deterministic text for nbval).
The widget redraws at most ~20 times a second and keeps a bounded window.
"""

from __future__ import annotations

import html
import math
import pathlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import anywidget
import traitlets

from ..recorder import Record, close_code_meaning, preview
from ._common import Source, as_recorder, state_name
from ._throttle import Coalescer

__all__ = [
    "Arrow",
    "Diagram",
    "FrameMatcher",
    "SequenceDiagram",
    "diagram",
    "render_svg",
    "render_text",
]


@dataclass(frozen=True)
class Arrow:
    """One frame: who sent it, at which row, and where it arrived.

    Attributes:
        kind: ``"message"`` or ``"close"``.
        sender: ``"client"`` or ``"server"``.
        sent_row: the row (0-based) of the step that sent it.
        received_row: the row of the event that delivered it.
        sent_seq: the record number of the sending step (``None`` for an automatic reply).
        received_seq: the record number of the delivering event.
        label: what the frame carried, as a learner reads it.
        automatic: the runtime sent it by itself (workerd's reply to a Close).

    A frame sent before the first row drawn has ``sent_row`` -1 and ``sent_seq`` None.
    """

    kind: str
    sender: str
    sent_row: int
    received_row: int
    sent_seq: int | None
    received_seq: int
    label: str
    automatic: bool = False

    @property
    def receiver(self) -> str:
        """The other end."""
        return "server" if self.sender == "client" else "client"


@dataclass
class Diagram:
    """The picture, as data.

    Attributes:
        rows: the records drawn, one per row.
        arrows: the frames, in the order they arrived.
        states: ``(row, end, readyState)`` wherever an end's readyState changed
            (the first row gives both ends' starting states).
        marks: ``(row, end, text)`` for calls and events that are not arrows
            (``accept()``, errors, a call that raised, notes).
        dropped: records before the window.
    """

    rows: list[Record] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    states: list[tuple[int, str, int]] = field(default_factory=list)
    marks: list[tuple[int, str, str]] = field(default_factory=list)
    dropped: int = 0


def _other(end: str) -> str:
    return "server" if end == "client" else "client"


def _frame_label(r: Record) -> str:
    if r.name == "message":
        return f"message {preview(r.args[0], 28)}"
    code, reason = r.args[0], r.args[1]
    return f"close {code} ({close_code_meaning(code)}) {preview(reason, 20)}"


class FrameMatcher:
    """Pair each delivered frame with the step that sent it, record by record.

    Frames travel in order in each direction, so the n-th frame an end sent is
    the n-th one the other end dispatches. The matcher follows a pair's whole
    history (it is fed every record once), so a diagram that shows only the
    newest rows still knows where each arrow started.

    Attributes:
        matches: received record number -> (sent record number or ``None``,
            record number the arrow starts at or ``None``, automatic).
    """

    def __init__(self) -> None:
        self._outgoing: dict[str, deque[tuple[str, int]]] = {"client": deque(), "server": deque()}
        self._last_close_event: dict[str, int] = {}
        self.matches: dict[int, tuple[int | None, int | None, bool]] = {}

    def feed(self, r: Record) -> None:
        """Take the next record of the pair."""
        if r.kind == "call":
            if r.outcome == "ok" and r.name in ("send", "close"):
                self._outgoing[r.end].append(("message" if r.name == "send" else "close", r.seq))
        elif r.kind == "event" and r.name in ("message", "close"):
            sender = _other(r.end)
            queue = self._outgoing[sender]
            # A frame that never arrived (the peer was already gone) is skipped over.
            while queue and queue[0][0] != r.name:
                queue.popleft()
            if queue:
                seq = queue.popleft()[1]
                self.matches[r.seq] = (seq, seq, False)
            elif r.name == "close" and sender in self._last_close_event:
                # workerd's automatic reply: sent when the sender received the Close.
                self.matches[r.seq] = (None, self._last_close_event[sender], True)
            else:
                self.matches[r.seq] = (None, None, False)
            if r.name == "close":
                self._last_close_event[r.end] = r.seq

    def forget_before(self, seq: int) -> None:
        """Drop matches of records older than ``seq`` (they left the window)."""
        if self.matches and min(self.matches) < seq:
            self.matches = {k: v for k, v in self.matches.items() if k >= seq}

    def reset(self) -> None:
        """Forget the frames in flight (records were lost, so counting would go wrong)."""
        for queue in self._outgoing.values():
            queue.clear()
        self._last_close_event.clear()


def diagram(
    records: list[Record],
    *,
    pair: int | None = None,
    dropped: int = 0,
    matcher: FrameMatcher | None = None,
) -> Diagram:
    """Lay out ``records`` (one pair's) as lifelines, arrows and marks.

    Args:
        records: the records, oldest first.
        pair: draw only this pair (its number in the recorder); ``None`` takes
            the pair of the first record.
        dropped: how many records came before ``records`` (shown in the text).
        matcher: a matcher already fed the pair's history, including
            ``records``; ``None`` matches frames within ``records`` only.
    """
    if pair is None and records:
        pair = records[0].pair
    rows = [r for r in records if r.pair == pair]
    if matcher is None:
        matcher = FrameMatcher()
        for r in rows:
            matcher.feed(r)
    row_of_seq = {r.seq: i for i, r in enumerate(rows)}
    d = Diagram(rows=rows, dropped=dropped)
    prev: dict[str, int | None] = {"client": None, "server": None}
    for i, r in enumerate(rows):
        for end, st in (("client", r.client), ("server", r.server)):
            if prev[end] != st:
                d.states.append((i, end, st))
                prev[end] = st
        if r.kind == "call":
            if r.outcome != "ok" or r.name not in ("send", "close"):
                mark = r.step if r.outcome in ("ok", "no-op", "ignored") else f"{r.step} ✗ {r.outcome}"
                d.marks.append((i, r.end, mark))
        elif r.kind == "event" and r.name in ("message", "close"):
            sent_seq, origin, automatic = matcher.matches.get(r.seq, (None, None, False))
            # -1: sent before the first row drawn.
            sent_row = row_of_seq.get(origin, -1) if origin is not None else -1
            label = _frame_label(r)
            if r.name == "close":
                label += f" wasClean={r.args[2]}"
                if automatic:
                    label += " (automatic reply)"
            d.arrows.append(Arrow(r.name, _other(r.end), sent_row, i, sent_seq, r.seq, label, automatic))
        else:
            d.marks.append((i, r.end, r.step))
    return d


_X = {"client": 150, "server": 610}
#: How far an arrow's label sits above its line (its baseline, in px).
_LABEL_GAP = 4
#: Where a label below its line has its baseline (the gap plus the text's height).
_LABEL_BELOW = 13
#: How far along its arrow, from the sender, a label starts (px).
_LABEL_START = 16
_TOP = 48
_DY = 26
_WIDTH = 760


def _y(row: int) -> int:
    return _TOP + row * _DY + _DY // 2


def render_svg(d: Diagram) -> str:
    """Draw the diagram as a standalone SVG string (no scripts, no external resources)."""
    e = html.escape
    height = _TOP + max(len(d.rows), 1) * _DY + 16
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cfws-seq-svg" width="{_WIDTH}" '
        f'height="{height}" viewBox="0 0 {_WIDTH} {height}" font-family="monospace" font-size="11">'
    ]
    colours = {"client": "#1565c0", "server": "#e65100"}
    for end, x in _X.items():
        out.append(
            f'<g class="lifeline" data-end="{end}">'
            f'<rect x="{x - 50}" y="6" width="100" height="24" rx="4" fill="white" '
            f'stroke="{colours[end]}"/>'
            f'<text x="{x}" y="22" text-anchor="middle" fill="{colours[end]}" '
            f'font-weight="bold">{end}</text>'
            f'<line x1="{x}" y1="30" x2="{x}" y2="{height - 8}" stroke="{colours[end]}" '
            f'stroke-dasharray="4 3"/></g>'
        )
    if d.dropped:
        out.append(
            f'<text class="dropped" x="{_WIDTH // 2}" y="42" text-anchor="middle" '
            f'fill="currentColor" opacity="0.8">({d.dropped} earlier steps not drawn)</text>'
        )
    for row, end, st in d.states:
        x, y = _X[end], _y(row)
        # readyState on the outer side of the lifeline, marks on the inner side.
        tx = x - 10 if end == "client" else x + 10
        anchor = "end" if end == "client" else "start"
        out.append(
            f'<g class="state" data-end="{end}" data-state="{st}">'
            f'<circle cx="{x}" cy="{y}" r="4" fill="{colours[end]}"/>'
            f'<text x="{tx}" y="{y + 4}" text-anchor="{anchor}" fill="{colours[end]}">'
            f"{e(state_name(st))}</text></g>"
        )
    for a in d.arrows:
        x1, y1 = _X[a.sender], _y(a.sent_row)
        x2, y2 = _X[a.receiver], _y(a.received_row)
        direction = 1 if x2 > x1 else -1
        colour = "currentColor" if a.kind == "message" else "#c62828"  # the theme's text colour
        head = f"{x2},{y2} {x2 - direction * 9},{y2 - 4} {x2 - direction * 9},{y2 + 4}"
        # The label runs along its arrow, just above it, so it never crosses its own line
        # (a level label at the midpoint of a slanted arrow does). It starts near the sender
        # and reads left to right, so two arrows that cross keep their labels apart.
        # An automatic reply leaves from the point where the Close it answers arrived, so the
        # two lines meet there: its label goes below its line, away from the other arrow.
        line_end = x2 - direction * 8  # where the line stops and the head begins
        length = math.hypot(line_end - x1, y2 - y1)
        mx = x1 + (line_end - x1) * _LABEL_START / length
        my = y1 + (y2 - y1) * _LABEL_START / length
        angle = math.degrees(
            math.atan2(y2 - y1, line_end - x1) if line_end >= x1 else math.atan2(y1 - y2, x1 - line_end)
        )
        sent = "" if a.sent_seq is None else str(a.sent_seq)
        out.append(
            f'<g class="arrow" data-kind="{a.kind}" data-from="{a.sender}" data-to="{a.receiver}" '
            f'data-sent="{sent}" data-received="{a.received_seq}">'
            f'<line x1="{x1}" y1="{y1}" x2="{line_end}" y2="{y2}" stroke="{colour}" '
            f'stroke-width="{1.5 if a.kind == "message" else 2.5}"/>'
            f'<polygon points="{head}" fill="{colour}"/>'
            f'<text x="{mx:.1f}" y="{my + (_LABEL_BELOW if a.automatic else -_LABEL_GAP):.1f}" '
            f'text-anchor="{"start" if direction > 0 else "end"}" fill="{colour}" '
            f'transform="rotate({angle:.2f} {mx:.1f} {my:.1f})">{e(a.label)}</text></g>'
        )
    for row, end, text in d.marks:
        x, y = _X[end], _y(row)
        error = "✗" in text or text.startswith("← error")
        tx = x + 10 if end == "client" else x - 10
        anchor = "start" if end == "client" else "end"
        colour = "#c62828" if error else "currentColor"
        shape = (
            f'<path d="M{x - 5},{y - 5} L{x + 5},{y + 5} M{x + 5},{y - 5} L{x - 5},{y + 5}" '
            f'stroke="{colour}" stroke-width="2"/>'
            if error
            else f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" fill="{colour}"/>'
        )
        out.append(
            f'<g class="mark{" error" if error else ""}" data-end="{end}">{shape}'
            f'<text x="{tx}" y="{y - 6}" text-anchor="{anchor}" fill="{colour}">{e(text)}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def render_text(d: Diagram, *, title: str = "SequenceDiagram") -> str:
    """Draw the diagram as deterministic text: one line per arrow, state change and mark."""
    lines = [
        f"{title}: {len(d.arrows)} arrows, {len(d.rows)} steps"
        + (f" ({d.dropped} earlier not drawn)" if d.dropped else "")
    ]
    events: list[tuple[int, int, str]] = []
    for row, end, st in d.states:
        events.append((row, 0, f"{end:<6} │ readyState {state_name(st)}"))
    for row, end, text in d.marks:
        events.append((row, 1, f"{end:<6} │ {text}"))
    for a in d.arrows:
        sent = f"#{a.sent_seq}" if a.sent_seq is not None else ("auto" if a.automatic else "earlier")
        if a.sender == "client":
            pic = f"client ──{a.label}──▶ server"
        else:
            pic = f"client ◀──{a.label}── server"
        events.append((a.received_row, 2, f"{pic}   ({sent} → #{a.received_seq})"))
    for row, _, text in sorted(events, key=lambda t: (t[0], t[1])):
        lines.append(f"{d.rows[row].seq:>4}  {text}")
    return "\n".join(lines)


class SequenceDiagram(anywidget.AnyWidget):
    """A live sequence diagram of one pair: client and server lifelines, an arrow per frame.

    Example::

        client, server = pair = WebSocketPair()
        seq = SequenceDiagram(pair)
        seq                          # displays; arrows appear as frames arrive
        ...
        await settle()
        print(seq.text())

    Args:
        source: a :class:`~cfws_playground.Recorder`, or a pair to observe
            through a new recorder.
        pair: which of the recorder's pairs to draw (1 for the first one);
            ``None`` draws the pair of the first record.
        window: how many steps to draw; older ones are counted, not drawn.
        rate: redraws per second, at most (a whole SVG is sent each time, so
            this is half the event stream's rate).

    Attributes:
        recorder: the recorder observed.
        updates_sent: redraws sent to the front end.
    """

    _esm = """
    function render({ model, el }) {
      el.classList.add("cfws-sequence");
      const draw = () => { el.innerHTML = model.get("svg"); };
      draw();
      model.on("change:svg", draw);
      return () => model.off("change:svg", draw);
    }
    export default { render };
    """
    _css = pathlib.Path(__file__).parent / "widgets.css"

    svg = traitlets.Unicode("").tag(sync=True)
    arrows = traitlets.Int(0).tag(sync=True)
    steps = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        source: Source,
        *,
        pair: int | None = None,
        window: int = 60,
        rate: float = 10.0,
    ) -> None:
        if window < 1:
            raise ValueError(f"window must be at least 1, not {window!r}")
        super().__init__()
        self.recorder = as_recorder(source)
        self.pair = pair
        self.updates_sent = 0
        self._window: deque[Record] = deque(maxlen=window)
        self._total = self.recorder.total
        self._diagram = Diagram()
        self._seen = 0
        self._matcher = FrameMatcher()
        self._add(
            self.recorder.records[-window:]
            if pair is None
            else [r for r in self.recorder.records if r.pair == pair][-window:]
        )
        self._draw()
        # A generous buffer: arrows are matched over the whole history, so
        # records lost between two redraws would leave arrows unmatched.
        self._coalescer = Coalescer(self.recorder, self._flush, buffer=100_000, rate=rate)

    def _add(self, records: list[Record], overflow: int = 0) -> int:
        if self.pair is None and records:
            self.pair = records[0].pair
        if overflow:
            self._matcher.reset()  # records were lost: frames in flight are unknown
        mine = [r for r in records if r.pair == self.pair]
        self._seen += len(mine) + overflow
        for r in mine:
            self._matcher.feed(r)
        self._window.extend(mine)
        return len(mine) + overflow

    def _draw(self) -> None:
        relevant = self._window
        dropped = self._seen - len(relevant)
        if relevant:
            self._matcher.forget_before(relevant[0].seq)
        self._diagram = diagram(list(relevant), pair=self.pair, dropped=dropped, matcher=self._matcher)
        with self.hold_sync():
            self.svg = render_svg(self._diagram)
            self.arrows = len(self._diagram.arrows)
            self.steps = len(self._diagram.rows)

    def _flush(self, batch: list[Record], overflow: int) -> None:
        if self._add(batch, overflow):  # nothing to redraw for other pairs' records
            self.updates_sent += 1
            self._draw()

    @property
    def diagram(self) -> Diagram:
        """The picture currently drawn, as data."""
        self.flush()
        return self._diagram

    def flush(self) -> None:
        """Redraw now, instead of at the next scheduled update."""
        self._coalescer.flush()

    def close(self) -> None:
        """Stop observing the recorder and close the widget."""
        coalescer = getattr(self, "_coalescer", None)  # None if __init__ failed
        if coalescer is not None:
            coalescer.close()
        super().close()

    def text(self) -> str:
        """The diagram as deterministic text (what a notebook prints and nbval checks)."""
        self.flush()
        title = "SequenceDiagram" if self.pair is None else f"SequenceDiagram (pair {self.pair})"
        return render_text(self._diagram, title=title)

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.text())
