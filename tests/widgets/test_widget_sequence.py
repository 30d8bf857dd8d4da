"""SequenceDiagram: arrows, readyState marks, SVG and text from the same records."""

from __future__ import annotations

import asyncio
import re

from comm_double import front_end

from cfws_playground import WebSocketPair, compatibility, settle
from cfws_playground.widgets import EventStream, SequenceDiagram
from cfws_playground.widgets.sequence import diagram


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


async def test_each_label_runs_along_its_arrow_above_the_line() -> None:
    """A label never crosses its arrow: it is rotated to the arrow's slope and sits beside it.

    Above the line, except an automatic reply's, which goes below: that arrow leaves from the
    point where the Close it answers arrived, so above it runs into the other arrow.
    """
    import math

    client, server = pair = WebSocketPair()
    seq = SequenceDiagram(pair, rate=1000)
    server.accept()
    client.accept()
    client.send("hello")
    client.close(4001, "a long enough reason to reach across the diagram")
    await settle()
    seq.flush()
    arrows = re.findall(
        r'<g class="arrow" data-kind="(\w+)"[^>]*><line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" '
        r'y2="([\d.]+)"[^>]*/><polygon[^>]*/><text x="([\d.]+)" y="([\d.]+)"[^>]*'
        r'transform="rotate\(([-\d.]+) ([\d.]+) ([\d.]+)\)"',
        seq.svg,
    )
    assert [a[0] for a in arrows] == ["message", "close", "close"]
    for n, (_kind, *numbers) in enumerate(arrows):
        x1, y1, x2, y2, tx, ty, angle, cx, cy = map(float, numbers)
        assert y2 > y1  # every arrow here slants down: a level label would cross it
        slope = math.degrees(math.atan2(abs(y2 - y1), abs(x2 - x1)))
        # rotated with the line (mirrored for right-to-left arrows, so text reads left to right)
        assert abs(abs(angle) - slope) < 0.01 and (angle > 0) == (x2 > x1)
        # it starts on the line, a little way from the sender, its baseline beside the line
        assert tx == cx and abs(math.hypot(cx - x1, cy - y1) - 16) < 0.2
        assert abs((cy - y1) * (x2 - x1) - (cx - x1) * (y2 - y1)) / math.hypot(x2 - x1, y2 - y1) < 0.2
        if n < 2:
            assert 0 < cy - ty < 11
        else:  # the automatic reply
            assert 0 < ty - cy < 14
