"""EventStream: rows, counters, filters, window and coalescing, without a browser."""

from __future__ import annotations

import asyncio

import pytest
from comm_double import front_end

from cfws_playground import Recorder, WebSocketPair, settle
from cfws_playground.widgets import EventStream

STATES = ("CONNECTING", "OPEN", "CLOSING", "CLOSED")


async def echo_scenario(pair: WebSocketPair) -> None:
    client, server = pair
    server.accept()
    client.accept()
    server.addEventListener("message", lambda e: server.send(f"echo: {e.data}"))
    client.send("hello")
    client.send(b"\x00\x01\x02")
    client.close(1000, "bye")
    await settle()


async def test_rows_follow_the_recorder_after_settle() -> None:
    pair = WebSocketPair()
    stream = EventStream(pair)
    await echo_scenario(pair)
    stream.flush()
    rec = stream.recorder
    assert [r["seq"] for r in stream.rows] == [r.seq for r in rec.records]
    assert [r["step"] for r in stream.rows] == [r.step for r in rec.records]
    by_step = {r["step"]: r for r in stream.rows}
    assert by_step["send('hello')"]["payload"] == "text"
    assert by_step["send(<bytes 3: 00 01 02>)"]["payload"] == "binary"
    closes = [r for r in stream.rows if r["kind"] == "event" and r["name"] == "close"]
    assert [(c["end"], c["code"], c["meaning"], c["wasClean"]) for c in closes] == [
        ("server", 1000, "Normal Closure", True),
        ("client", 1000, "Normal Closure", True),
    ]
    assert closes[-1]["client"] == "3 CLOSED" and closes[-1]["server"] == "3 CLOSED"
    assert stream.counters == {"shown": len(rec), "hidden": 0, "dropped": 0, "total": len(rec)}


async def test_updates_reach_the_front_end_from_the_loop_without_flush() -> None:
    pair = WebSocketPair()
    stream = EventStream(pair, rate=1000)
    await echo_scenario(pair)
    for _ in range(50):  # the scheduled flush runs by itself on the loop
        if stream.counters["total"] == stream.recorder.total:
            break
        await asyncio.sleep(0.01)
    sent = front_end(stream).custom()
    assert sent, "no update reached the front end"
    seqs = [row["seq"] for msg in sent for row in msg["rows"]]
    assert seqs == [r.seq for r in stream.recorder.records]
    assert sent[-1]["counters"]["total"] == stream.recorder.total


async def test_text_is_the_rows_as_a_table() -> None:
    pair = WebSocketPair()
    stream = EventStream(pair)
    await echo_scenario(pair)
    text = stream.text()
    lines = text.splitlines()
    assert lines[0].startswith(f"EventStream: {stream.recorder.total} shown, 0 hidden, 0 dropped")
    # Nothing hidden or dropped: the widget shows exactly the recorder's table.
    assert lines[1:] == stream.recorder.table().splitlines()
    for line, r in zip(lines[2:], stream.recorder.records, strict=True):
        assert line.split()[:6] == [
            str(r.seq),
            r.end,
            str(r.client),
            STATES[r.client],
            str(r.server),
            STATES[r.server],
        ]
        assert line.endswith(r.step)
    assert repr(stream) == text
    bundle = stream._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"] == text


async def test_filters_by_end_and_kind_and_reset_the_front_end() -> None:
    pair = WebSocketPair()
    stream = EventStream(pair)
    await echo_scenario(pair)
    stream.flush()
    before = len(front_end(stream).custom())
    stream.ends = ["server"]
    stream.kinds = ["event"]
    assert stream.rows and all(r["end"] == "server" and r["kind"] == "event" for r in stream.rows)
    expected = [r.seq for r in stream.recorder.records if r.end == "server" and r.kind == "event"]
    assert [r["seq"] for r in stream.rows] == expected
    c = stream.counters
    assert c["shown"] == len(expected) and c["hidden"] == stream.recorder.total - len(expected)
    last = front_end(stream).custom()[-1]
    assert len(front_end(stream).custom()) == before + 2
    assert last["type"] == "reset" and [r["seq"] for r in last["rows"]] == expected
    assert "kinds: event" in stream.text() and "ends: server" in stream.text()


async def test_front_end_filter_change_is_validated() -> None:
    stream = EventStream(WebSocketPair())
    with pytest.raises(Exception, match="can only contain"):
        stream.ends = ["browser"]
    with pytest.raises(ValueError, match="can only contain"):
        EventStream(WebSocketPair(), kinds=["events"])


async def test_snapshot_request_from_a_new_view() -> None:
    pair = WebSocketPair()
    stream = EventStream(pair)
    await echo_scenario(pair)
    # The front end asks for the window when a view renders.
    stream._handle_custom_msg({"type": "snapshot"}, [])
    last = front_end(stream).custom()[-1]
    assert last["type"] == "reset"
    assert [r["seq"] for r in last["rows"]] == [r.seq for r in stream.recorder.records]


async def test_window_is_bounded_and_older_rows_count_as_dropped() -> None:
    client, server = pair = WebSocketPair()
    stream = EventStream(pair, window=10)
    server.accept()
    client.accept()
    for i in range(25):
        client.send(f"m{i}")
    await settle()
    stream.flush()
    total = stream.recorder.total
    assert len(stream.rows) == 10
    assert [r["seq"] for r in stream.rows] == list(range(total - 9, total + 1))
    assert stream.counters["dropped"] == total - 10
    assert f"{total - 10} dropped" in stream.text()
    last = front_end(stream).custom()[-1]
    assert last["first"] == total - 9 and len(last["rows"]) <= 10


async def test_ten_thousand_events_are_coalesced() -> None:
    client, server = pair = WebSocketPair()
    stream = EventStream(pair, window=200)
    server.accept()
    client.accept()
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(5000):  # 5,000 sends + 5,000 message events
        client.send(str(i))
        if i % 100 == 0:
            await asyncio.sleep(0)  # let deliveries and flushes interleave
    await settle()
    stream.flush()
    elapsed = loop.time() - start
    rec = stream.recorder
    assert rec.total == 2 + 10_000
    messages = front_end(stream).custom()
    # At most one update per 1/20 s of the run, plus the final flush.
    assert len(messages) <= elapsed * 20 + 2
    assert len(messages) < 100
    assert stream.updates_sent == len(messages)
    shipped = sum(len(m["rows"]) for m in messages)
    assert shipped <= 200 * len(messages)
    assert stream.counters == {"shown": 200, "hidden": 0, "dropped": rec.total - 200, "total": rec.total}


async def test_a_burst_in_one_turn_is_one_update() -> None:
    client, server = pair = WebSocketPair()
    stream = EventStream(pair, window=50)
    for i in range(1000):  # 1,000 records in one turn of the loop, nothing to deliver
        client.binaryType = "arraybuffer" if i % 2 else "blob"
    assert front_end(stream).custom() == []  # nothing is sent per record
    await asyncio.sleep(0)  # the flush the first record scheduled runs
    messages = front_end(stream).custom()
    assert len(messages) == 1
    assert [r["seq"] for r in messages[0]["rows"]] == list(range(951, 1001))
    assert messages[0]["counters"] == {"shown": 50, "hidden": 0, "dropped": 950, "total": 1000}


async def test_several_pairs_and_a_shared_recorder() -> None:
    a, b = WebSocketPair(), WebSocketPair()
    rec = Recorder(a, b)
    stream = EventStream(rec)
    for pair in (a, b):
        pair[1].accept()
        pair[0].accept()
        pair[0].send("x")
    await settle()
    assert stream.recorder is rec
    assert {r["pair"] for r in stream.rows} == {1, 2}
    assert stream.many_pairs
    assert "pair" in stream.text().splitlines()[1]
    with pytest.raises(TypeError, match="observes a Recorder"):
        EventStream([])  # type: ignore[arg-type]


async def test_close_unsubscribes() -> None:
    client, server = pair = WebSocketPair()
    stream = EventStream(pair)
    stream.close()
    server.accept()
    await settle()
    assert stream.counters["total"] == 0


async def test_records_made_on_another_thread_are_flushed_on_the_loop() -> None:
    import threading

    client, server = pair = WebSocketPair()
    stream = EventStream(pair, rate=1000)
    server.accept()
    await asyncio.sleep(0.01)
    stream.flush()
    flushed_on: list[int] = []
    original = stream._flush

    def spy(batch, overflow):  # type: ignore[no-untyped-def]
        flushed_on.append(threading.get_ident())
        original(batch, overflow)

    stream._coalescer._flush_cb = spy
    worker = threading.Thread(
        target=stream.recorder.add_note, args=(pair, 1, "bridge", "a frame from elsewhere")
    )
    worker.start()
    worker.join()
    for _ in range(100):
        if flushed_on:
            break
        await asyncio.sleep(0.01)
    assert flushed_on == [threading.get_ident()]  # the loop's thread, not the worker's
    assert stream.rows[-1]["kind"] == "note"
    assert stream.rows[-1]["step"] == "· bridge: a frame from elsewhere"
    stream.kinds = ["call", "event", "net"]
    assert all(r["kind"] != "note" for r in stream.rows)


async def test_a_second_pair_redraws_the_earlier_rows_with_the_pair_column() -> None:
    """The header gains "pair" when a second pair appears: the earlier rows are sent again
    (a reset), so that none of them stays a column short under the new header."""
    first = WebSocketPair()
    rec = Recorder(first)
    stream = EventStream(rec)
    await echo_scenario(first)
    stream.flush()
    assert not stream.many_pairs
    ui = front_end(stream)
    ui.custom()  # what the view got so far
    second = WebSocketPair()
    rec.watch(second)
    second[0].accept()
    await settle()
    stream.flush()
    assert stream.many_pairs
    [reset] = [m for m in ui.custom() if m["type"] == "reset"]
    assert [r["seq"] for r in reset["rows"]] == [r.seq for r in rec.records]
    assert len({r["pair"] for r in reset["rows"]}) == 2
