"""SequenceDiagram: arrows, readyState marks, SVG and text from the same records."""

from __future__ import annotations

import asyncio
import html
import itertools
import re

from comm_double import front_end

from cfws_playground import WebSocketPair, compatibility, settle
from cfws_playground.widgets import EventStream, SequenceDiagram
from cfws_playground.widgets.sequence import (
    Diagram,
    Placed,
    _arrow_line,
    _crosses,
    _overlap,
    diagram,
    layout,
    render_svg,
)


async def test_close_handshake_today() -> None:
    client, server = pair = WebSocketPair()
    seq = SequenceDiagram(pair)
    server.accept()
    client.accept()
    client.send("hello")
    client.close(1000, "bye")
    await settle()
    d = seq.diagram
    rec = seq.recorder.records
    by_seq = {r.seq: r for r in rec}
    pics = [(a.kind, a.sender, a.receiver) for a in d.arrows]
    assert pics == [
        ("message", "client", "server"),
        ("close", "client", "server"),
        ("close", "server", "client"),  # today's runtime replies to a Close by itself
    ]
    hello, close, reply = d.arrows
    assert by_seq[hello.sent_seq].step == "send('hello')"
    assert by_seq[hello.received_seq].step == "← message 'hello'"
    assert by_seq[close.sent_seq].step == "close(1000, 'bye')"
    assert reply.sent_seq is None and reply.sent_row == close.received_row
    # readyState changes on each lifeline, in order.
    client_states = [st for _, end, st in d.states if end == "client"]
    server_states = [st for _, end, st in d.states if end == "server"]
    assert client_states == [1, 2, 3]
    assert server_states == [1, 3]


async def test_manual_reply_draws_the_servers_close_call() -> None:
    with compatibility(date="2026-04-06"):
        client, server = pair = WebSocketPair()
    seq = SequenceDiagram(pair)
    server.accept()
    client.accept()
    server.addEventListener("close", lambda e: server.close(e.code, "ok"))
    client.close(4001, "done")
    await settle()
    d = seq.diagram
    by_seq = {r.seq: r for r in seq.recorder.records}
    closes = [a for a in d.arrows if a.kind == "close"]
    assert [(a.sender, by_seq[a.sent_seq].step) for a in closes] == [
        ("client", "close(4001, 'done')"),
        ("server", "close(4001, 'ok')"),
    ]
    assert "4001 (application)" in closes[0].label


async def test_svg_has_an_element_per_arrow_and_state() -> None:
    client, server = pair = WebSocketPair()
    seq = SequenceDiagram(pair, rate=1000)
    server.accept()
    client.accept()
    client.send(b"\x01\x02")
    server.send("x" * 100)
    await settle()
    seq.flush()
    svg = seq.svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    arrows = re.findall(r'<g class="arrow" data-kind="(\w+)" data-from="(\w+)" data-to="(\w+)"', svg)
    assert arrows == [("message", "client", "server"), ("message", "server", "client")]
    assert seq.arrows == 2
    assert svg.count('class="state"') == len(seq.diagram.states)
    assert "(100 chars)" in svg  # long payloads elided with their size
    assert "<script" not in svg
    assert front_end(seq).states()[-1]["svg"] == svg  # what the front end got


async def test_text_lists_arrows_in_order() -> None:
    client, server = pair = WebSocketPair()
    seq = SequenceDiagram(pair)
    server.accept()
    client.accept()
    client.send("ping")
    server.addEventListener("message", lambda e: server.send("pong"))
    await settle()
    text = seq.text()
    assert text.splitlines()[0] == "SequenceDiagram (pair 1): 2 arrows, 6 steps"
    arrow_lines = [line for line in text.splitlines() if "──" in line]
    assert "client ──message 'ping'──▶ server" in arrow_lines[0]
    assert "client ◀──message 'pong'── server" in arrow_lines[1]
    assert repr(seq) == text


async def test_redraws_are_coalesced_and_the_window_bounded() -> None:
    client, server = pair = WebSocketPair()
    seq = SequenceDiagram(pair, window=30)
    stream = EventStream(seq.recorder)
    server.accept()
    client.accept()
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(5000):
        client.send(str(i))
        if i % 100 == 0:
            await asyncio.sleep(0)
    await settle()
    seq.flush()
    elapsed = loop.time() - start
    assert seq.updates_sent <= elapsed * 20 + 2
    updates = front_end(seq).states()
    assert len(updates) == seq.updates_sent + 1  # + the first drawing, at creation
    # hold_sync: one message per redraw, carrying the picture and its counts together.
    assert all("svg" in u and set(u) <= {"svg", "arrows", "steps"} for u in updates)
    d = seq.diagram
    # Whatever changed in the last redraw, the front end's state is the final picture.
    final: dict[str, object] = {}
    for u in updates:
        final.update(u)
    assert final["svg"] == seq.svg and final["arrows"] == seq.arrows and final["steps"] == seq.steps
    assert len(d.rows) == 30 and d.dropped == seq.recorder.total - 30
    assert f"({d.dropped} earlier not drawn)" in seq.text()
    by_seq = {r.seq: r for r in d.rows}
    for a in d.arrows:  # each arrow starts at the send of the same payload, or above the window
        received = by_seq[a.received_seq].args[0]
        if a.sent_row >= 0:
            assert by_seq[a.sent_seq].args[0] == received
        else:
            assert a.sent_seq is not None and a.sent_seq < d.rows[0].seq
    assert stream.counters["total"] == seq.recorder.total


def test_diagram_of_no_records() -> None:
    d = diagram([])
    assert d.arrows == [] and d.rows == []


def _overlaps(d: Diagram) -> list[tuple[str, str]]:
    """Texts of the laid-out diagram whose boxes meet, and labels across their own line."""
    placed = layout(d)
    found = [(a.text, b.text) for a, b in itertools.combinations(placed, 2) if _overlap(a.box, b.box)]
    for p in placed:
        if p.kind == "label" and _crosses(_arrow_line(d.arrows[p.arrow]), p.box):
            found.append((p.text, "(its own arrow)"))
    return found


async def _chapter_04() -> Diagram:
    client, server = pair = WebSocketPair()
    seq = SequenceDiagram(pair, rate=1000)
    server.accept()
    client.accept()
    client.send("last words")
    client.close(1000, "bye")
    await settle()
    return seq.diagram


async def _chapter_07(date: str | None) -> Diagram:
    with compatibility(date=date):
        client, server = pair = WebSocketPair()
    seq = SequenceDiagram(pair, rate=1000)
    server.accept()
    client.accept()
    server.addEventListener("message", lambda e: server.send(f"got {type(e.data).__name__}"))
    client.send(b"\x01\x02")
    client.close(1000, "bye")
    await settle()
    server.close(1000, "bye")
    await settle()
    return seq.diagram


async def _crossing(n: int) -> Diagram:
    """Both ends send ``n`` long messages in one turn: every arrow crosses the others."""
    client, server = pair = WebSocketPair()
    seq = SequenceDiagram(pair, rate=1000)
    server.accept()
    client.accept()
    for i in range(n):
        client.send(f"from the client, message number {i} " + "x" * 30)
        server.send(f"from the server, message number {i} " + "y" * 30)
    client.close(4001, "a long enough reason to reach across the diagram")
    await settle()
    return seq.diagram


async def test_no_label_overlaps_another_text_or_its_own_arrow() -> None:
    """The diagrams of chapters 04 and 07, and arrows that all cross: every text has its own place."""
    diagrams = [await _chapter_04(), await _chapter_07(None), await _chapter_07("2026-03-01")]
    diagrams += [await _crossing(n) for n in (1, 3, 8)]
    for d in diagrams:
        assert d.arrows
        assert _overlaps(d) == []
        placed = layout(d)
        labels = [p for p in placed if p.kind == "label"]
        assert len(labels) == len(d.arrows)
        svg = render_svg(d)
        height = float(re.search(r'height="(\d+)"', svg).group(1))  # type: ignore[union-attr]
        for p in placed:
            assert 0 <= p.box[0] and p.box[2] <= 760 and 0 <= p.box[1] and p.box[3] <= height, p
            assert f">{html.escape(p.text)}<" in svg  # drawn where it was placed
    # Chapter 04's and 07's labels are short enough to be drawn whole.
    for d in diagrams[:3]:
        assert all(p.text == p.full for p in layout(d))


def test_the_overlap_check_sees_overlapping_labels() -> None:
    """Two labels drawn on the same spot are reported (the check can fail)."""
    a = Placed("label", "close 1000", "close 1000", (166, 100, 234, 114), 166, 111, 0)
    b = Placed("label", "message 'hi'", "message 'hi'", (200, 105, 280, 119), 200, 116, 1)
    assert _overlap(a.box, b.box)
    assert not _overlap(a.box, (166, 114, 234, 128))
    assert _crosses((150, 100, 602, 140), a.box) and not _crosses((150, 120, 602, 160), a.box)


async def test_a_label_too_long_for_any_place_is_cut_with_the_whole_text_as_tooltip() -> None:
    d = await _crossing(8)
    cut = [p for p in layout(d) if p.text != p.full]
    for p in cut:
        assert p.text.endswith("…") and p.full.startswith(p.text[:-1])
        assert f"<title>{html.escape(p.full)}</title>" in render_svg(d)
