"""The recorder: order, readyStates, rendering, JSON, bounds, subscribers, and zero cost when off."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from cfws_playground import Recorder, WebSocketPair, settle
from cfws_playground.recorder import Clipped, close_code_meaning, preview


async def scenario() -> tuple[WebSocketPair, Recorder]:
    pair = WebSocketPair()
    rec = Recorder(pair)
    client, server = pair
    try:
        client.send("too early")
    except TypeError:
        pass
    server.accept()
    client.accept()
    client.send("hi")
    client.send(b"\x00\x01")
    server.binaryType = "nonsense"
    client.close(4000, "done")
    client.close(1000)  # ignored
    await settle()
    return pair, rec


async def test_records_calls_and_events_in_order_with_both_ready_states() -> None:
    _, rec = await scenario()
    steps = [(r.seq, r.end, r.kind, r.name, r.outcome, r.client, r.server) for r in rec.records]
    assert steps == [
        (1, "client", "call", "send", steps[0][4], 1, 1),
        (2, "server", "call", "accept", "ok", 1, 1),
        (3, "client", "call", "accept", "ok", 1, 1),
        (4, "client", "call", "send", "ok", 1, 1),
        (5, "client", "call", "send", "ok", 1, 1),
        (6, "server", "call", "binaryType", "ignored", 1, 1),
        (7, "client", "call", "close", "ok", 2, 1),
        (8, "client", "call", "close", "ignored", 2, 1),
        (9, "server", "event", "message", "", 2, 1),
        (10, "server", "event", "message", "", 2, 1),
        (11, "server", "event", "close", "", 2, 3),
        (12, "client", "event", "close", "", 3, 3),
        (13, "server", "event", "error", "", 3, 3),
    ]
    assert steps[0][4].startswith("TypeError: You must call one of accept()")
    assert rec.records[10].args == (4000, "done", True)


async def test_table_is_deterministic_text() -> None:
    _, rec = await scenario()
    text = rec.table()
    _, again = await scenario()
    assert text == again.table()
    lines = text.splitlines()
    assert lines[0].split() == ["#", "end", "client", "server", "step"]
    assert "send('too early')  raised" in lines[1]
    assert lines[2].strip().startswith("✗ TypeError: You must call one of accept()")
    assert "← message <Blob 2: 00 01>" in text
    assert "← close 4000 (application) reason='done' wasClean=True" in text
    assert "close(1000)  (ignored)" in text
    assert "0x" not in text and "id=" not in text


async def test_json_round_trips() -> None:
    _, rec = await scenario()
    data = json.loads(rec.to_json())
    assert [d["seq"] for d in data] == list(range(1, 14))
    assert data[4]["args"] == [{"bytes": "0001"}]
    assert data[9]["args"] == [{"blob": "0001"}]
    assert data[10]["readyState"] == {"client": 2, "server": 3}


async def test_ring_buffer_counts_what_it_dropped() -> None:
    pair = WebSocketPair()
    rec = Recorder(pair, limit=10)
    a, b = pair
    a.accept()
    b.accept()
    for i in range(50):
        a.send(str(i))
    await settle()
    assert len(rec) == 10 and rec.total == 102 and rec.dropped == 92
    assert rec.records[-1].args == ("49",)
    assert "(92 earlier records dropped)" in rec.table()


async def test_subscribers_and_several_pairs() -> None:
    p1, p2 = WebSocketPair(), WebSocketPair()
    rec = Recorder(p1)
    assert rec.watch(p2) == 2 and rec.watch(p1) == 1
    seen: list[int] = []
    unsubscribe = rec.subscribe(lambda r: seen.append(r.pair))
    p1[0].accept()
    p2[0].accept()
    unsubscribe()
    p2[1].accept()
    assert seen == [1, 2]
    assert rec.table().splitlines()[0].split()[:3] == ["#", "pair", "end"]


async def test_unwatched_pairs_cost_nothing_and_record_nothing() -> None:
    pair = WebSocketPair()
    rec = Recorder(pair)
    rec.close()
    assert pair._recorders == []
    pair[0].accept()
    assert rec.total == 0


def test_preview_and_close_code_meaning() -> None:
    assert preview("x" * 100).endswith("… (100 chars)")
    assert preview(b"\x01" * 20) == "<bytes 20: 01 01 01 01 01 01 01 01 …>"
    assert preview(b"") == "<bytes 0>"
    assert close_code_meaning(1006) == "Abnormal Closure"
    assert close_code_meaning(1009) == "Message Too Big"
    assert close_code_meaning(4001) == "application"
    assert close_code_meaning(3001).startswith("registered")


# ---------------------------------------------------------------------- memory bounds


async def test_finished_pairs_leave_the_recorder_and_labels_stay_unique() -> None:
    import gc
    import weakref

    rec = Recorder()
    refs = []
    for _ in range(50):
        pair = WebSocketPair()
        rec.watch(pair)
        pair[0].accept()
        refs.append(weakref.ref(pair))
        del pair
    gc.collect()
    assert all(ref() is None for ref in refs)  # the recorder did not keep them alive
    assert rec._pairs == [] and not rec._labels
    pair = WebSocketPair()
    assert rec.watch(pair) == 51  # numbering goes on, even if an id is reused
    assert [r.pair for r in rec.records] == list(range(1, 51))


async def test_long_payloads_are_kept_as_previews_that_render_the_same() -> None:
    text, data = "x" * 10_000, bytes(range(256)) * 100
    pair = WebSocketPair()
    rec = Recorder(pair, keep=64)
    client, server = pair
    server.accept()
    client.accept()
    client.send(text)
    client.send(data)
    await settle()
    sends = [r for r in rec.records if r.name == "send"]
    clipped = sends[0].args[0]
    assert isinstance(clipped, Clipped) and clipped.length == 10_000 and clipped == "x" * 64
    assert isinstance(clipped, str) and isinstance(sends[1].args[0], bytes)  # still text / binary
    assert [r.step for r in sends] == [f"send({preview(text)})", f"send({preview(data)})"]
    assert rec.payload_bytes <= 4 * 64
    assert json.loads(rec.to_json())[2]["args"] == [{"clipped": "text", "head": "x" * 64, "length": 10_000}]


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=60),
    max_bytes=st.integers(0, 20_000),
    keep=st.integers(1, 2000),
    limit=st.one_of(st.none(), st.integers(1, 50)),
)
def test_the_byte_budget_holds_and_every_drop_is_counted(
    sizes: list[int], max_bytes: int, keep: int, limit: int | None
) -> None:
    pair = WebSocketPair()
    rec = Recorder(pair, limit=limit, max_bytes=max_bytes, keep=keep)
    client = pair[0]
    client.accept()  # one record without a payload
    for i, n in enumerate(sizes):
        client.send("t" * n if i % 2 else b"b" * n)  # the peer never accepts: calls only
    kept = rec.records
    size = {1: 0} | {i + 2: min(n, keep) for i, n in enumerate(sizes)}  # seq -> payload held
    held = sum(size[r.seq] for r in kept)
    assert rec.payload_bytes == held <= max_bytes
    assert rec.total == len(sizes) + 1 == len(kept) + rec.dropped
    assert limit is None or len(kept) <= limit
    assert [r.seq for r in kept] == list(range(rec.dropped + 1, rec.total + 1))  # the newest, in order
    if rec.dropped:  # nothing dropped that fitted: keeping the last one dropped breaks a bound
        assert (limit is not None and len(kept) == limit) or held + size[rec.dropped] > max_bytes
