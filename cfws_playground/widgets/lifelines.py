"""A Durable Object's lifelines: each client, optionally the runtime, and the object.

:class:`~cfws_playground.widgets.SequenceDiagram` draws the two ends of one
pair. A room on a Durable Object has one pair per client, and its sockets are
held by the runtime, not by the object's code: the object may be evicted while
every client stays connected. :class:`RoomDiagram` draws that from the same
recorder (``connect(..., recorder=rec)`` for each client):

- a lifeline per client, named by you (``{1: "ada", 2: "bob"}``: the
  recorder's pair numbers, in the order the clients connected);
- the object's lifeline, drawn only while an instance exists: it stops where
  the runtime evicts the object and starts again where the next event builds a
  new one (the ``evict`` and ``wake`` notes the runtime records);
- with ``runtime=True``, the runtime's lifeline between them: a client's frame
  reaches the runtime, which calls the object's handler (or, while the object
  is evicted, holds the event until a new instance is built, or answers it
  itself with the auto-response).

A frame a client sent is an arrow from the row where it sent it to the row
where the server end received it (frames keep their order on each
connection). What the object sends is an arrow on the row of its call: the
in-process client does not record when it received the frame. A call that
raised is an arrow that stops half way, with a cross.

:func:`room_diagram` computes the picture as data; :func:`render_svg` and
:func:`render_text` draw it (SVG for the widget, deterministic text for nbval).
"""

from __future__ import annotations

import html
import pathlib
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import anywidget
import traitlets

from ..recorder import Record, Recorder, close_code_meaning, preview
from ._throttle import Coalescer

__all__ = [
    "Lane",
    "LaneArrow",
    "LaneMark",
    "RoomDiagram",
    "RoomPicture",
    "render_svg",
    "render_text",
    "room_diagram",
]

#: The runtime's and the object's lifelines, by name.
RUNTIME = "runtime"


@dataclass(frozen=True)
class LaneArrow:
    """One frame or handler call between two lifelines.

    Attributes:
        source: the lifeline it leaves.
        target: the lifeline it reaches.
        start: the row (0-based) where it leaves.
        end: the row where it arrives (``start`` for a call drawn on one row).
        label: what it carried, as a learner reads it.
        kind: ``"message"``, ``"close"`` or ``"call"`` (the runtime calling a handler).
        failed: the call raised: the arrow stops half way, with a cross.
    """

    source: str
    target: str
    start: int
    end: int
    label: str
    kind: str = "message"
    failed: bool = False


@dataclass(frozen=True)
class LaneMark:
    """Something that happened on one lifeline: connected, evicted, a handler that raised."""

    lane: str
    row: int
    text: str
    error: bool = False


@dataclass
class Lane:
    """A lifeline, and the rows where it exists (the object's has gaps while it is evicted)."""

    name: str
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class RoomPicture:
    """The picture, as data: lifelines left to right, the records drawn, arrows and marks."""

    lanes: list[Lane]
    rows: list[Record]
    object_name: str
    arrows: list[LaneArrow] = field(default_factory=list)
    marks: list[LaneMark] = field(default_factory=list)


def _frame(name: str, args: tuple[Any, ...]) -> str:
    if name == "send" or name == "message":
        return f"message {preview(args[0], 28)}"
    code = args[0]
    if code is None:
        return "close (no code)"
    reason = f" {preview(args[1], 20)}" if len(args) > 1 and args[1] else ""
    return f"close {code} ({close_code_meaning(code)}){reason}"


def _handler(r: Record) -> str:
    if r.name == "message":
        return f"webSocketMessage({preview(r.args[0], 24)})"
    if r.name == "close":
        return f"webSocketClose({r.args[0]}, {preview(r.args[1], 16)}, {r.args[2]})"
    return f"webSocketError({preview(r.args[0], 40)})"


def room_diagram(
    records: list[Record], clients: Mapping[int, str], *, object_name: str = "room", runtime: bool = False
) -> RoomPicture:
    """Lay out ``records`` of the pairs in ``clients`` as lifelines, arrows and marks.

    Args:
        records: the recorder's records, oldest first.
        clients: pair number -> the client's name; other pairs are left out.
        object_name: the object's lifeline.
        runtime: draw the runtime between the clients and the object.
    """
    names = list(clients.values())
    if len(set(names)) != len(names) or object_name in names or RUNTIME in names:
        raise ValueError(f"lifelines need distinct names, not {names} and {object_name!r}")
    if runtime:
        order = [*names, RUNTIME, object_name]
    else:  # the object in the middle: half the clients on each side
        half = (len(names) + 1) // 2
        order = [*names[:half], object_name, *names[half:]]
    rows = [r for r in records if r.pair in clients]
    picture = RoomPicture(lanes=[Lane(n) for n in order], rows=rows, object_name=object_name)
    hub = RUNTIME if runtime else object_name
    sent: dict[int, deque[tuple[str, int]]] = {p: deque() for p in clients}
    awake_since: int | None = 0
    held: list[Record] = []  # events the runtime holds while the object is evicted

    def deliver(r: Record, row: int) -> None:
        if runtime:
            picture.arrows.append(LaneArrow(RUNTIME, object_name, row, row, _handler(r), "call"))

    for row, r in enumerate(rows):
        who = clients[r.pair]
        if r.kind == "net":
            if r.name in ("send", "close"):
                sent[r.pair].append((r.name, row))
            elif r.name == "dropped":
                picture.marks.append(LaneMark(who, row, "no Close came back: gives up, sees 1006", True))
            else:
                picture.marks.append(LaneMark(who, row, f"connection {r.name}"))
        elif r.kind == "event" and r.name in ("message", "close"):
            queue = sent[r.pair]
            frame = "send" if r.name == "message" else "close"
            while queue and queue[0][0] != frame:
                queue.popleft()
            start = queue.popleft()[1] if queue else row
            label = _frame(r.name, r.args)
            picture.arrows.append(LaneArrow(who, hub, start, row, label, r.name))
            if awake_since is None:
                held.append(r)
            else:
                deliver(r, row)
        elif r.kind == "event":  # error: the runtime reports the socket's end to the object
            picture.marks.append(LaneMark(hub, row, f"{who}'s socket: error {preview(r.args[0], 44)}", True))
        elif r.kind == "call" and r.name == "couple":
            picture.marks.append(LaneMark(who, row, "connected (101)"))
        elif r.kind == "call" and r.name in ("send", "close"):
            source = object_name if awake_since is not None or not runtime else RUNTIME
            label = _frame(r.name, r.args)
            failed = r.outcome not in ("ok", "no-op", "ignored")
            if failed:
                label = f"{r.name}({preview(r.args[0], 20)}) ✗ {r.outcome.split(':')[0]}"
            picture.arrows.append(LaneArrow(source, who, row, row, label, r.name, failed))
        elif r.kind == "call":
            picture.marks.append(LaneMark(object_name, row, f"{r.step}"))
        elif r.kind == "note":
            if r.name == "evict" and awake_since is not None:
                picture.lanes[order.index(object_name)].spans.append((awake_since, row))
                awake_since = None
                picture.marks.append(LaneMark(hub, row, "object evicted: the runtime keeps every socket"))
            elif r.name in ("wake", "construct") and awake_since is None:
                awake_since = row
                picture.marks.append(LaneMark(object_name, row, "new instance: __init__ ran"))
                for event in held:
                    deliver(event, row)
                held.clear()
            elif r.name == "auto-response":
                held.clear()  # answered by the runtime: no handler runs
                picture.marks.append(LaneMark(hub, row, f"auto-response: {r.args[0]}"))
            else:
                error = r.name in ("handler raised", "event timed out", "reset")
                picture.marks.append(LaneMark(object_name, row, f"{r.name}: {r.args[0]}", error))
    if awake_since is not None:
        picture.lanes[order.index(object_name)].spans.append((awake_since, max(len(rows) - 1, 0)))
    for lane in picture.lanes:
        if lane.name != object_name:
            lane.spans.append((0, max(len(rows) - 1, 0)))
    return picture


def render_text(picture: RoomPicture, *, title: str = "RoomDiagram") -> str:
    """The picture as deterministic text: one line per arrow and mark, in row order."""
    lines = [
        f"{title}: {' | '.join(lane.name for lane in picture.lanes)}, "
        f"{len(picture.arrows)} arrows, {len(picture.rows)} steps"
    ]
    position = {lane.name: i for i, lane in enumerate(picture.lanes)}
    items: list[tuple[int, int, str]] = []
    for a in picture.arrows:
        rightward = position[a.target] > position[a.source]
        line = (
            f"{a.source} ──{a.label}──▶ {a.target}" if rightward else f"{a.target} ◀──{a.label}── {a.source}"
        )
        if a.failed:
            line = f"{a.source} ──{a.label}──✗ (never reaches {a.target})"
        items.append((a.end, 1, line))
    for m in picture.marks:
        items.append((m.row, 0, f"{m.lane} │ {m.text}"))
    for row, _, text in sorted(items, key=lambda t: (t[0], t[1])):
        lines.append(f"{picture.rows[row].seq:>4}  {text}")
    gaps = [
        (picture.rows[a].seq, picture.rows[b].seq)
        for lane in picture.lanes
        for (_, a), (b, _) in zip(lane.spans, lane.spans[1:], strict=False)
    ]
    for start, end in gaps:
        lines.append(f"      (no object between #{start} and #{end}: evicted, every socket still open)")
    return "\n".join(lines)


_LANE_GAP = 240
_LEFT = 90
_TOP = 50
_DY = 24
_COLOURS = ("#1565c0", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457")
_OBJECT = "#e65100"
_RUNTIME = "#546e7a"


def render_svg(picture: RoomPicture) -> str:
    """The picture as a standalone SVG string (no scripts, no external resources)."""
    e = html.escape
    width = _LEFT * 2 + _LANE_GAP * (len(picture.lanes) - 1) + 300  # room for the marks on the right
    height = _TOP + max(len(picture.rows), 1) * _DY + 20
    x = {lane.name: _LEFT + i * _LANE_GAP for i, lane in enumerate(picture.lanes)}
    colours: dict[str, str] = {RUNTIME: _RUNTIME, picture.object_name: _OBJECT}
    clients = [lane.name for lane in picture.lanes if lane.name not in colours]
    colours.update({name: _COLOURS[i % len(_COLOURS)] for i, name in enumerate(clients)})

    def y(row: int) -> int:
        return _TOP + row * _DY + _DY // 2

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cfws-room-svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="11">'
    ]
    for lane in picture.lanes:
        cx, colour = x[lane.name], colours[lane.name]
        out.append(
            f'<g class="lifeline" data-lane="{e(lane.name)}" data-spans="{len(lane.spans)}">'
            f'<rect x="{cx - 60}" y="6" width="120" height="24" rx="4" fill="white" stroke="{colour}"/>'
            f'<text x="{cx}" y="22" text-anchor="middle" fill="{colour}" font-weight="bold">'
            f"{e(lane.name)}</text>"
        )
        for first, last in lane.spans:
            out.append(
                f'<line class="span" x1="{cx}" y1="{y(first) - _DY // 2 if first else 30}" x2="{cx}" '
                f'y2="{y(last) + _DY // 2}" stroke="{colour}" stroke-width="2" stroke-dasharray="5 3"/>'
            )
        for (_, gone), (back, _) in zip(lane.spans, lane.spans[1:], strict=False):
            mid = (y(gone) + y(back)) // 2
            out.append(
                f'<text class="absent" x="{cx}" y="{mid}" text-anchor="middle" fill="{colour}" '
                f'font-style="italic">(evicted)</text>'
            )
        out.append("</g>")
    for a in picture.arrows:
        x1, y1, x2, y2 = x[a.source], y(a.start), x[a.target], y(a.end)
        colour = (
            "#c62828" if a.kind == "close" or a.failed else _RUNTIME if a.kind == "call" else "currentColor"
        )
        direction = 1 if x2 > x1 else -1
        if a.failed:
            x2 = (x1 + x2) // 2
            tip = (
                f'<path d="M{x2 - 5},{y2 - 5} L{x2 + 5},{y2 + 5} M{x2 + 5},{y2 - 5} L{x2 - 5},{y2 + 5}" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        else:
            tip = (
                f'<polygon points="{x2},{y2} {x2 - direction * 9},{y2 - 4} {x2 - direction * 9},{y2 + 4}" '
                f'fill="{colour}"/>'
            )
        lx = x1 + direction * 8
        dashes = ' stroke-dasharray="2 2"' if a.kind == "call" else ""
        out.append(
            f'<g class="arrow{" failed" if a.failed else ""}" data-kind="{a.kind}" data-from="{e(a.source)}" '
            f'data-to="{e(a.target)}"><line x1="{x1}" y1="{y1}" '
            f'x2="{x2 - direction * (0 if a.failed else 8)}" '
            f'y2="{y2}" stroke="{colour}" stroke-width="{2.5 if a.kind == "close" else 1.5}"'
            f"{dashes}/>{tip}"
            f'<text x="{lx}" y="{min(y1, y2) - 4}" text-anchor="{"start" if direction > 0 else "end"}" '
            f'fill="{colour}">{e(a.label)}</text></g>'
        )
    for m in picture.marks:
        cx, cy = x[m.lane], y(m.row)
        colour = "#c62828" if m.error else colours[m.lane]
        shape = (
            f'<path d="M{cx - 5},{cy - 5} L{cx + 5},{cy + 5} M{cx + 5},{cy - 5} L{cx - 5},{cy + 5}" '
            f'stroke="{colour}" stroke-width="2"/>'
            if m.error
            else f'<rect x="{cx - 4}" y="{cy - 4}" width="8" height="8" fill="{colour}"/>'
        )
        out.append(
            f'<g class="mark{" error" if m.error else ""}" data-lane="{e(m.lane)}">{shape}'
            f'<text x="{cx + 9}" y="{cy + 4}" fill="{colour}">{e(m.text)}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


class RoomDiagram(anywidget.AnyWidget):
    """A live diagram of a room: a lifeline per client, the object, and optionally the runtime.

    Example::

        rec = Recorder()
        ada = await connect(worker, "ws://x/?name=ada", env=env, recorder=rec)
        bob = await connect(worker, "ws://x/?name=bob", env=env, recorder=rec)
        picture = RoomDiagram(rec, {1: "ada", 2: "bob"})
        picture                                  # displays; redraws as records arrive
        print(picture.text())

    Args:
        recorder: the recorder every client connected with.
        clients: the recorder's pair number -> the client's name, for the pairs to draw.
        object_name: the object's lifeline.
        runtime: draw the runtime's lifeline between the clients and the object.
        window: how many of the newest records to draw.
        rate: redraws per second, at most.
    """

    _esm = """
    function render({ model, el }) {
      el.classList.add("cfws-room");
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

    def __init__(
        self,
        recorder: Recorder,
        clients: Mapping[int, str],
        *,
        object_name: str = "room",
        runtime: bool = False,
        window: int = 200,
        rate: float = 10.0,
    ) -> None:
        if not isinstance(recorder, Recorder):
            raise TypeError(f"RoomDiagram draws what a Recorder recorded, not {recorder!r}")
        if not clients:
            raise ValueError("name at least one client: {pair number: name}")
        if window < 1:
            raise ValueError(f"window must be at least 1, not {window!r}")
        super().__init__()
        self.recorder = recorder
        self.clients = dict(clients)
        self.object_name = object_name
        self.runtime = runtime
        self._window: deque[Record] = deque(
            (r for r in recorder.records if r.pair in self.clients), maxlen=window
        )
        self._picture = room_diagram([], self.clients, object_name=object_name, runtime=runtime)
        self._draw()
        self._coalescer = Coalescer(recorder, self._flush, buffer=100_000, rate=rate)

    def _draw(self) -> None:
        self._picture = room_diagram(
            list(self._window), self.clients, object_name=self.object_name, runtime=self.runtime
        )
        with self.hold_sync():
            self.svg = render_svg(self._picture)
            self.arrows = len(self._picture.arrows)

    def _flush(self, batch: list[Record], overflow: int) -> None:
        mine = [r for r in batch if r.pair in self.clients]
        if mine:
            self._window.extend(mine)
            self._draw()

    @property
    def picture(self) -> RoomPicture:
        """The picture currently drawn, as data."""
        self.flush()
        return self._picture

    def flush(self) -> None:
        """Redraw now, instead of at the next scheduled update."""
        self._coalescer.flush()

    def close(self) -> None:
        """Stop observing the recorder and close the widget."""
        coalescer = getattr(self, "_coalescer", None)
        if coalescer is not None:
            coalescer.close()
        super().close()

    def text(self) -> str:
        """The diagram as deterministic text (what a notebook prints and nbval checks)."""
        self.flush()
        return render_text(self._picture)

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.text())
