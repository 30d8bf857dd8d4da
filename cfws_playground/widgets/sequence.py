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
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import anywidget
import traitlets

from ..recorder import Record, close_code_meaning, preview
from ._common import STYLE, Source, as_recorder, state_name
from ._throttle import Coalescer

__all__ = [
    "Arrow",
    "Diagram",
    "FrameMatcher",
    "Placed",
    "SequenceDiagram",
    "diagram",
    "layout",
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
_TOP = 48
#: Row height: a label above its line and the mark of the row above keep clear of each other.
_DY = 28
_WIDTH = 760
#: The text's font size, and the advance of one character of a monospace font at that size
#: (DejaVu Sans Mono, Liberation Mono, Menlo: 0.60-0.61 em; a little more, to be safe).
_FONT = 11
_CHAR = 6.8
#: A text's box around its baseline: the font's ascent above, its descent below (px).
_ASCENT = 11
_DESCENT = 3
#: Space kept between a label and its line, and how far from a lifeline a label starts (px).
_GAP = 3
_INSET = 16
#: A label cut to fit keeps at least this many characters (then "…"; the whole text is its tooltip).
_SHORTEST = 12
#: How far a label slides along its line between two places tried (px).
_SLIDE = 24

_ROLE_FALLBACK = {
    "client": "#1565c0",
    "server": "#bf360c",
    "error": "#b71c1c",
    "background": "#ffffff",
}


def _paint(**roles: str) -> str:
    """A ``style`` attribute painting ``fill``/``stroke`` in colours of the widgets' style sheet.

    Those follow the theme; the fallbacks are the light theme's colours, for an SVG shown
    without the style sheet. The role ``"text"`` is the page's own text colour.
    """
    parts = [
        f"{prop}:currentColor" if role == "text" else f"{prop}:var(--cfws-{role}, {_ROLE_FALLBACK[role]})"
        for prop, role in roles.items()
    ]
    return f'style="{";".join(parts)}"'


def _y(row: int) -> int:
    return _TOP + row * _DY + _DY // 2


Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Placed:
    """A text of the diagram where it is drawn: what it says, its box, and its anchor point.

    Attributes:
        kind: ``"lifeline"``, ``"state"``, ``"mark"``, ``"dropped"`` or ``"label"`` (an arrow's).
        text: what is drawn (a label cut to fit ends with "…").
        full: the whole text (the tooltip of a cut label).
        box: ``(left, top, right, bottom)`` in the SVG's coordinates, estimated from the font.
        x, y: where the text starts (``text-anchor`` start) and its baseline.
        arrow: the index of the label's arrow in :attr:`Diagram.arrows`, else -1.
    """

    kind: str
    text: str
    full: str
    box: Box
    x: float
    y: float
    arrow: int = -1


def _width(text: str) -> float:
    return len(text) * _CHAR


def _text_box(x: float, baseline: float, text: str) -> Box:
    return (x, baseline - _ASCENT, x + _width(text), baseline + _DESCENT)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(seg: tuple[float, float, float, float], box: Box) -> bool:
    """Whether the segment ``(x1, y1, x2, y2)`` passes through ``box`` (Liang-Barsky clipping)."""
    x1, y1, x2, y2 = seg
    dx, dy = x2 - x1, y2 - y1
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x1 - box[0]), (dx, box[2] - x1), (-dy, y1 - box[1]), (dy, box[3] - y1)):
        if p == 0:
            if q < 0:
                return False
        else:
            t = q / p
            if p < 0:
                lo = max(lo, t)
            else:
                hi = min(hi, t)
            if lo > hi:
                return False
    return True


def _arrow_line(a: Arrow) -> tuple[float, float, float, float]:
    x1, x2 = _X[a.sender], _X[a.receiver]
    direction = 1 if x2 > x1 else -1
    return (x1, _y(a.sent_row), x2 - direction * 8, _y(a.received_row))


def layout(d: Diagram) -> list[Placed]:
    """Where every text of the diagram goes, no two of them overlapping.

    Lifeline heads, readyStates (outside the lifelines) and marks (inside, at their
    row) have fixed places. Each arrow's label is level, so it reads easily, and goes
    just above its line, near the sender or further along (clear of the line's highest
    point under it, so it never crosses its own line), at the first place that touches
    no text placed before it and no arrow's line. When no place above is clear, it
    takes the first place (above, then below its line) that touches no other text:
    another arrow's line may pass behind it, drawn over with a halo of the background.
    When none is free the label is cut shorter (ending in "…", the whole text kept as
    its tooltip) and tried again; as a last resort it goes where it touches the fewest
    others.
    """
    height = _TOP + max(len(d.rows), 1) * _DY + 16
    placed: list[Placed] = []
    for end, middle in _X.items():
        box = (middle - 50, 6, middle + 50, 30)
        placed.append(Placed("lifeline", end, end, box, middle - _width(end) / 2, 22))
    if d.dropped:
        text = f"({d.dropped} earlier steps not drawn)"
        start = _WIDTH / 2 - _width(text) / 2
        placed.append(Placed("dropped", text, text, _text_box(start, 42, text), start, 42))
    # readyState on the outer side of the lifeline, marks on the inner side.
    for row, end, st in d.states:
        text = state_name(st)
        start = _X[end] - 10 - _width(text) if end == "client" else _X[end] + 10
        placed.append(Placed("state", text, text, _text_box(start, _y(row) + 4, text), start, _y(row) + 4))
    for row, end, text in d.marks:
        start = _X[end] + 10 if end == "client" else _X[end] - 10 - _width(text)
        placed.append(Placed("mark", text, text, _text_box(start, _y(row) - 6, text), start, _y(row) - 6))
    lines = [_arrow_line(a) for a in d.arrows]
    for index, a in enumerate(d.arrows):
        placed.append(_place_label(index, a, lines, placed, height))
    return placed


def _candidates(line: tuple[float, float, float, float], text: str) -> list[tuple[bool, float, float]]:
    """Where ``text`` may go, in order of preference: (above its line?, start, baseline).

    Above the line, from near the sender along to near the receiver (in steps of
    :data:`_SLIDE`), each clear of the line's highest point under it; then below it,
    near the receiver and near the sender, clear of its lowest point.
    """
    x1, y1, x2, y2 = line
    width = _width(text)
    left, right = min(x1, x2), max(x1, x2)
    toward = 1 if x2 > x1 else -1
    near_sender = x1 + _INSET if toward > 0 else x1 - _INSET - width
    near_receiver = x2 - _INSET - width if toward > 0 else x2 + _INSET
    room = max(0.0, (near_receiver - near_sender) * toward)

    def line_y(x: float) -> float:
        return y1 if x2 == x1 else y1 + (y2 - y1) * (min(max(x, left), right) - x1) / (x2 - x1)

    def ys(start: float) -> tuple[float, float]:
        return line_y(start), line_y(start + width)

    starts = [near_sender + toward * step for step in range(0, int(room) + 1, _SLIDE)]
    if not starts or starts[-1] != near_receiver:
        starts.append(near_receiver)
    spots = [(True, start, min(ys(start)) - _GAP - _DESCENT) for start in starts]
    spots += [(False, start, max(ys(start)) + _GAP + _ASCENT) for start in (near_receiver, near_sender)]
    return spots


def _place_label(
    index: int,
    a: Arrow,
    lines: list[tuple[float, float, float, float]],
    placed: list[Placed],
    height: float,
) -> Placed:
    def clashes(box: Box) -> tuple[int, int]:
        """(texts touched, its own line crossed or outside the picture; other lines crossed)."""
        hard = sum(1 for p in placed if _overlap(box, p.box)) + _crosses(lines[index], box)
        if box[0] < 0 or box[2] > _WIDTH or box[1] < 0 or box[3] > height:
            hard += 1
        soft = sum(1 for i, seg in enumerate(lines) if i != index and _crosses(seg, box))
        return hard, soft

    full = a.label
    fallback: tuple[tuple[int, int], Placed] | None = None
    length = len(full)
    while True:
        text = full if length >= len(full) else full[: length - 1] + "…"
        usable: list[tuple[bool, int, Placed]] = []
        for above, x, baseline in _candidates(lines[index], text):
            box = _text_box(x, baseline, text)
            hard, soft = clashes(box)
            spot = Placed("label", text, full, box, x, baseline, index)
            if hard == 0:
                usable.append((above, soft, spot))
            if fallback is None or (hard, soft) < fallback[0]:
                fallback = ((hard, soft), spot)
        # Above its line and clear of everything; else the first place that touches no other
        # text, another arrow's line passing behind it (it is drawn over the line with a halo).
        clear = [spot for above, soft, spot in usable if above and soft == 0]
        if clear:
            return clear[0]
        if usable:
            return usable[0][2]
        if length <= _SHORTEST:
            assert fallback is not None
            return fallback[1]
        length = max(_SHORTEST, length - 8)


def render_svg(d: Diagram) -> str:
    """Draw the diagram as a standalone SVG string (no scripts, no external resources).

    Colours come from the widgets' style sheet (``--cfws-*``, which follow JupyterLab's
    light or dark theme), with the light theme's colours as fallbacks.
    """
    e = html.escape
    height = _TOP + max(len(d.rows), 1) * _DY + 16
    texts = layout(d)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cfws-seq-svg" width="{_WIDTH}" '
        f'height="{height}" viewBox="0 0 {_WIDTH} {height}" font-family="monospace" font-size="{_FONT}">'
    ]
    for end, x in _X.items():
        out.append(
            f'<g class="lifeline" data-end="{end}">'
            f'<rect x="{x - 50}" y="6" width="100" height="24" rx="4" '
            f"{_paint(fill='background', stroke=end)}/>"
            f'<text x="{x}" y="22" text-anchor="middle" {_paint(fill=end)} '
            f'font-weight="bold">{end}</text>'
            f'<line x1="{x}" y1="30" x2="{x}" y2="{height - 8}" {_paint(stroke=end)} '
            f'stroke-dasharray="4 3"/></g>'
        )
    for p in texts:
        if p.kind == "dropped":
            out.append(
                f'<text class="dropped" x="{p.x:.1f}" y="{p.y}" {_paint(fill="text")}>{e(p.text)}</text>'
            )
    states = iter(p for p in texts if p.kind == "state")
    for row, end, st in d.states:
        p = next(states)
        x, y = _X[end], _y(row)
        out.append(
            f'<g class="state" data-end="{end}" data-state="{st}">'
            f'<circle cx="{x}" cy="{y}" r="4" {_paint(fill=end)}/>'
            f'<text x="{p.x:.1f}" y="{p.y}" {_paint(fill=end)}>{e(p.text)}</text></g>'
        )
    labels = {p.arrow: p for p in texts if p.kind == "label"}
    for index, a in enumerate(d.arrows):
        x1, y1, line_end, y2 = _arrow_line(a)
        x2 = _X[a.receiver]
        direction = 1 if x2 > x1 else -1
        role = "text" if a.kind == "message" else "error"
        head = f"{x2},{y2} {x2 - direction * 9},{y2 - 4} {x2 - direction * 9},{y2 + 4}"
        p = labels[index]
        sent = "" if a.sent_seq is None else str(a.sent_seq)
        title = f"<title>{e(p.full)}</title>" if p.text != p.full else ""
        out.append(
            f'<g class="arrow" data-kind="{a.kind}" data-from="{a.sender}" data-to="{a.receiver}" '
            f'data-sent="{sent}" data-received="{a.received_seq}">{title}'
            f'<line x1="{x1}" y1="{y1}" x2="{line_end}" y2="{y2}" {_paint(stroke=role)} '
            f'stroke-width="{1.5 if a.kind == "message" else 2.5}"/>'
            f'<polygon points="{head}" {_paint(fill=role)}/>'
            f'<text x="{p.x:.1f}" y="{p.y:.1f}" {_paint(fill=role, stroke="background")} '
            f'stroke-width="3" paint-order="stroke">{e(p.text)}</text></g>'
        )
    marks = iter(p for p in texts if p.kind == "mark")
    for row, end, text in d.marks:
        p = next(marks)
        x, y = _X[end], _y(row)
        error = "✗" in text or text.startswith("← error")
        role = "error" if error else "text"
        shape = (
            f'<path d="M{x - 5},{y - 5} L{x + 5},{y + 5} M{x + 5},{y - 5} L{x - 5},{y + 5}" '
            f'{_paint(stroke=role)} stroke-width="2"/>'
            if error
            else f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" {_paint(fill=role)}/>'
        )
        out.append(
            f'<g class="mark{" error" if error else ""}" data-end="{end}">{shape}'
            f'<text x="{p.x:.1f}" y="{p.y}" {_paint(fill=role)}>{e(p.text)}</text></g>'
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
    _css = STYLE

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
