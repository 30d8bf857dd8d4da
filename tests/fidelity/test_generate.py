"""The program generator, the shrinker and the campaign report, without workerd.

The live campaign (a fixed seed against real workerd) is in test_campaign_live.py.
"""

from __future__ import annotations

import json

import pytest

from cfws_playground.cli import main
from cfws_playground.fidelity.campaign import (
    Coverage,
    Difference,
    _compiles,
    _source,
    library_entry,
    signature,
)
from cfws_playground.fidelity.dsl import compile_steps
from cfws_playground.fidelity.generate import NESTED_TIMER_MS, TIMER_MS, generate
from cfws_playground.fidelity.library_generated import GENERATED, GENERATED_OPEN, G
from cfws_playground.fidelity.scenario import Scenario
from cfws_playground.fidelity.shrink import shrink


def test_the_same_seed_gives_the_same_programs_and_another_seed_others() -> None:
    first = [(p.steps, p.configs, p.durable) for p in generate(60, seed=3)]
    again = [(p.steps, p.configs, p.durable) for p in generate(60, seed=3)]
    other = [(p.steps, p.configs, p.durable) for p in generate(60, seed=4)]
    assert first == again
    assert first != other


def test_every_generated_program_compiles_and_both_kinds_are_drawn() -> None:
    programs = generate(400, seed=11)
    for p in programs:
        json.dumps(p.ops)  # what is sent to workerd's driver
    kinds = {p.durable for p in programs}
    assert kinds == {False, True}
    text = json.dumps([p.ops for p in programs])
    for needle in (
        '"object": true',
        "once",
        "dispatchEvent",
        "acceptWebSocket",
        "serializeAttachment",
        '"do": "timeout"',
        '"do": "microtask"',
        '"do": "throw"',
        '"do": "off"',
        "onprop",
        "'0x3e8'",
        "4294968296",
        "setWebSocketAutoResponse",
        "storage",
    ):
        assert needle in text, needle


def test_timers_in_timers_never_fall_due_with_another_timer() -> None:
    """Two timers due in the same millisecond fire in either order, on both runtimes: the
    generator draws a nested timer's delay so that no chain of two ties with another."""
    sums = [o + NESTED_TIMER_MS[TIMER_MS.index(o)] for o in set(TIMER_MS)]
    assert len(sums) == len(set(sums))
    # two ms or more from every top-level delay (seed 20261229: timeout(0, timeout(0)) against
    # timeout(1)), and from where 'sleep 5' steps end
    assert all(abs(s - t) >= 2 for s in sums for t in TIMER_MS)
    assert all(min(s % 5, 5 - s % 5) >= 2 for s in sums)
    nested: set[int] = set()

    def walk(ops: list[dict[str, object]], in_timer: bool) -> None:
        for op in ops:
            if op["do"] == "timeout":
                if in_timer:
                    nested.add(op["ms"])  # type: ignore[arg-type]
                else:
                    assert op["ms"] in TIMER_MS
            if isinstance(op.get("body"), list):
                walk(op["body"], in_timer or op["do"] == "timeout")  # type: ignore[arg-type]

    for p in generate(400, seed=5):
        walk(p.ops, False)
    assert nested and nested <= set(NESTED_TIMER_MS)


def _own_steps(body: list[dict[str, object]]) -> list[dict[str, object]]:
    """A listener's statements, through its timers and microtasks (a nested listener is its own)."""
    out = []
    for op in body:
        if op["do"] in ("timeout", "microtask"):
            out += _own_steps(op["body"])  # type: ignore[arg-type]
        elif op["do"] != "on":
            out.append(op)
    return out


def test_a_message_listener_on_a_never_sends_so_programs_end() -> None:
    def walk(ops: list[dict[str, object]]) -> None:
        for op in ops:
            if op["do"] == "on" and op["end"] == "a" and op["type"] == "message":
                assert not [s for s in _own_steps(op["body"]) if s.get("name") == "send"]  # type: ignore[arg-type]
            if isinstance(op.get("body"), list):
                walk(op["body"])  # type: ignore[arg-type]

    for p in generate(400, seed=5):
        walk(p.ops)


def test_cross_sends_only_from_once_listeners_and_only_when_asked() -> None:
    def sends_in_a_message_listeners(
        ops: list[dict[str, object]], found: list[bool], in_repeating: bool = False
    ) -> None:
        for op in ops:
            once = op["do"] == "on" and "once" in ((op.get("options") or {}).get("obj") or {})  # type: ignore[attr-defined]
            if op["do"] == "on" and op["end"] != "b" and op["type"] == "message":
                sends = [s for s in _own_steps(op["body"]) if s.get("name") == "send"]  # type: ignore[arg-type]
                if sends:
                    assert once, op  # called at most once
                    # and never added again by a listener that runs each time (b's message
                    # would find a fresh one, and the two ends would echo for ever)
                    assert not in_repeating, op
                    assert {s["end"] for s in sends} == {"b"}
                    found.append(True)
            if isinstance(op.get("body"), list):
                repeating = in_repeating or (op["do"] == "on" and not once)
                sends_in_a_message_listeners(op["body"], found, repeating)  # type: ignore[arg-type]

    plain = generate(400, seed=5)
    assert [p.steps for p in plain] == [p.steps for p in generate(400, seed=5, cross_sends=False)]
    crossed = generate(400, seed=5, cross_sends=True)
    found: list[bool] = []
    for p in crossed:
        sends_in_a_message_listeners(p.ops, found)
    assert len(found) > 20  # the programs the default leaves out are drawn
    assert main(["verify", "--python", "--generate", "2", "--cross-sends"]) == 2


def test_shrink_finds_the_one_step_that_matters_inside_a_block() -> None:
    program = [
        "watch",
        "a.accept()",
        {
            "block": "on",
            "header": "on a message as L1",
            "body": ["state", "a.close('0b1111101000', text(200))"],
        },
        "b.send('x')",
        "settle",
    ]
    calls = []

    def interesting(steps: list[object]) -> bool:
        calls.append(steps)
        return "0b1111101000" in json.dumps(steps)

    assert shrink(program, interesting) == [
        {"block": "on", "header": "on a message as L1", "body": ["a.close('0b1111101000', text(1))"]}
    ]
    assert len(calls) < 300


def test_shrink_keeps_the_program_when_nothing_smaller_is_interesting() -> None:
    program = ["a.accept()", "a.send('x')"]
    assert shrink(program, lambda steps: steps == program) == program


def test_signature_blanks_names_numbers_and_strings() -> None:
    kit = [
        "watch",
        "a.close('0o1750', text(124)) -> throws DOMException(InvalidAccessError): "
        "Invalid WebSocket close code: 0.",
    ]
    wd = [
        "watch",
        "a.close('0o1750', text(124)) -> throws DOMException(SyntaxError): "
        "WebSocket close reason must not be longer than 123 bytes when UTF-8 encoded.",
    ]
    sig = signature(kit, wd)
    assert sig is not None
    assert sig[0] == "E.close() -> throws DOMException(InvalidAccessError): Invalid WebSocket close code: N."
    assert signature(kit, kit) is None
    assert signature(["b.close(5) -> undefined"], ["b.close(5) -> x"]) == signature(
        ["a.close(7) -> undefined"], ["a.close(7) -> x"]
    )


def test_a_shrunk_program_that_names_an_end_no_pair_made_is_not_run() -> None:
    made = Scenario("x", "x", ("pair c d", "d.accept()"), durable=True)
    missing = Scenario("x", "x", ("d.accept()",), durable=True)
    assert _compiles(made) and not _compiles(missing)


def test_a_library_entry_is_source_that_gives_back_the_same_scenario() -> None:
    steps = (
        "watch",
        {"block": "on", "header": "on b close as L1 once", "body": ["b.close(code, reason)"]},
        {"block": "timeout", "ms": 5, "body": [{"block": "microtask", "body": ["a.send(b'\\x01')"]}]},
        {"block": "handler", "name": "webSocketClose", "body": []},
    )
    sc = Scenario(
        "gen-x", "x", steps, configs=(("2026-11-17", ("web_socket_manual_reply_to_close",)),), durable=True
    )
    diff = Difference(("k", "w"), "gen-1-2", sc, sc, [], [])
    before = len(GENERATED)
    namespace: dict[str, object] = {}
    exec(
        "from cfws_playground.fidelity.library_generated import *\n"  # noqa: S102 - the entry is our own output
        "from cfws_playground.fidelity.library_generated import G, on, timeout, microtask, handler\n"
        + library_entry(diff),
        namespace,
    )
    made = GENERATED.pop()
    assert GENERATED_OPEN.pop("gen-x").startswith("deliveries happen")
    assert len(GENERATED) == before
    assert made.ops == sc.ops and made.configs == sc.configs and made.durable
    assert _source("a.accept()") == "'a.accept()'"
    assert G.__name__ == "G"


def test_coverage_counts_calls_events_and_ready_state_pairs() -> None:
    cov = Coverage()
    cov.add(
        [
            "watch",
            "a.accept() -> undefined",
            "b.close(999) -> throws DOMException(InvalidAccessError): Invalid WebSocket close code: 999.",
            'b message W: "x" | a=1 b=2',
            "await ctx.storage.put('k', 1) -> None",
            'webSocketClose(b, 1000, "", true) | b=2',
            "b.binaryType = 'blob'",
            "off b message L1",
            "timeout 0 ran",
            "state: a=3 b=3",
        ],
        "p",
    )
    assert cov.calls["WebSocket.accept()"] == 1
    assert cov.throws["WebSocket.close()"] == 1
    assert cov.calls["ctx.storage.put()"] == 1
    assert cov.calls["WebSocket.binaryType="] == 1
    assert cov.calls["WebSocket.removeEventListener()"] == 1
    assert cov.calls["setTimeout()"] == 1
    assert cov.events["message"] == 1 and cov.events["webSocketClose"] == 1
    assert set(cov.states) == {("1", "2"), ("3", "3")}
    assert "readyState pairs (a, b) reached (2 of the 9 a pair can show" in cov.text()


def test_cli_generate_without_workerd_says_what_it_needs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cfws_playground.fidelity import cli

    monkeypatch.setattr(cli, "find_workerd", lambda: None)
    assert main(["verify", "--generate", "5", "--seed", "1"]) == 2
    assert "live workerd" in capsys.readouterr().err
    assert main(["verify", "--generate", "0"]) == 2


def test_the_generated_library_compiles() -> None:
    for sc in GENERATED:
        compile_steps(list(sc.steps), durable=sc.durable)
        assert sc.name.startswith("gen-") and len(sc.configs) == 1


@pytest.mark.workerd
@pytest.mark.slow
def test_cli_generate_prints_seed_count_workerd_and_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    from cfws_playground.fidelity import find_workerd

    if find_workerd() is None:
        pytest.skip("no workerd binary: `cfws-playground verify --install`, or set CFWS_WORKERD")
    status = main(["verify", "--generate", "30", "--seed", "2", "--shrink", "1"])
    out = capsys.readouterr().out
    assert out.startswith("seed 2, 30 programs\nworkerd: workerd ")
    assert "generated 30 programs from seed 2" in out
    assert "API calls reached" in out and "readyState pairs (a, b) reached" in out
    assert status == (1 if "minimal program(s) after shrinking." in out and "\n── gen-" in out else 0)


def test_wire_programs_come_from_a_stream_of_their_own() -> None:
    from cfws_playground.fidelity.generate import wire_share

    mixed = generate(400, seed=11)
    plain = generate(400, seed=11, wire=0)
    assert wire_share(400) == 2 and wire_share(9) == 0 and wire_share(10) == 1
    assert [p.wire for p in mixed] == [False] * 398 + [True] * 2
    assert [(p.steps, p.configs) for p in mixed[:398]] == [(p.steps, p.configs) for p in plain[:398]]
    assert [p.client for p in mixed[398:]] == [p.client for p in generate(400, seed=11)[398:]]
    assert generate(400, seed=11, configs=(("2026-03-01", ()), ("2026-04-26", ())))[-1].wire is False


def test_a_wire_programs_client_ends_its_writes_with_a_close_or_a_refused_frame() -> None:
    from cfws_playground.fidelity.campaign import frame_kinds
    from cfws_playground.fidelity.generate_wire import WIRE_CONFIGS, wire_programs
    from cfws_playground.fidelity.rawclient import parse_frame_step

    programs = wire_programs(300, seed=5)
    kinds: set[str] = set()
    for p in programs:
        assert p.configs[0] in WIRE_CONFIGS and p.client is not None and p.client[-1] == "wait"
        assert p.ops and p.client_ops  # both compile
        writes = [s for s in p.client if s.startswith(("frame ", "frames "))]
        for i, step in enumerate(writes):
            frames = [frame_kinds(parse_frame_step(part)) for part in step.split(" ", 1)[1].split(" + ")]
            kinds.update(k for f in frames for k in f)
            ends = [f for f in frames if f[0] in ("close", "unknown opcode") or "reserved bits" in f]
            if i < len(writes) - 1:
                assert not ends, step  # only the last write may end the client's frames
        if p.configs[0] != WIRE_CONFIGS[0]:
            assert "b.close(1000, 'ok')" in json.dumps(p.ops)  # someone answers the client's Close
    for needle in (
        "text not UTF-8", "unmasked", "reserved bits", "unknown opcode", "ping over 125 bytes",
        "close over 125 bytes", "close of 1 bytes", "close reserved code", "close reason not UTF-8",
        "text without FIN", "cont", "ping without FIN", "pong",
    ):  # fmt: skip
        assert needle in kinds, needle


def test_frame_kinds_says_what_is_odd_about_a_frame() -> None:
    from cfws_playground.fidelity.campaign import frame_kinds
    from cfws_playground.fidelity.rawclient import parse_frame_step

    assert frame_kinds(parse_frame_step("text b'a\\xffb' mask=0")) == ["text", "unmasked", "text not UTF-8"]
    assert frame_kinds(parse_frame_step("close b'\\x03'")) == ["close", "close of 1 bytes"]
    assert frame_kinds(parse_frame_step("close b'\\x03\\xed\\xff'")) == [
        "close", "close reserved code", "close reason not UTF-8",
    ]  # fmt: skip
    assert frame_kinds(parse_frame_step("ping bytes(126) fin=0")) == [
        "ping", "ping without FIN", "ping over 125 bytes",
    ]  # fmt: skip
    assert frame_kinds(parse_frame_step("3 b'x' rsv=2")) == ["unknown opcode", "reserved bits"]


def test_shrinking_a_raw_client_leaves_out_steps_and_single_frames() -> None:
    from cfws_playground.fidelity.campaign import shrink_client

    steps = ["frame ping b'p'", "sleep 30", "frames text 'x' + ping b'q' + 3 b'x'", "wait"]
    needed = "3 b'x'"
    small = shrink_client(steps, lambda s: any(needed in step for step in s), budget=50)
    assert small == ["frame 3 b'x'", "wait"]


def test_a_wire_library_entry_keeps_its_client() -> None:
    sc = Scenario(
        "gen-w", "x", ("b.accept()", "watch"), configs=(("2026-11-17", ()),), client=("frame 3 b'x'", "wait")
    )
    namespace: dict[str, object] = {}
    exec(  # noqa: S102 - the entry is our own output
        "from cfws_playground.fidelity.library_generated import G, on, timeout, microtask, handler\n"
        + library_entry(Difference(("k", "w"), "gen-1-wire-0", sc, sc, [], [])),
        namespace,
    )
    made = GENERATED.pop()
    GENERATED_OPEN.pop("gen-w")
    assert made.client == sc.client and made.ops == sc.ops and made.wire


def test_wire_programs_against_a_hibernatable_socket_only_with_a_share() -> None:
    from cfws_playground.fidelity.generate_wire import WIRE_CONFIGS, wire_programs

    plain = wire_programs(60, seed=5)
    assert not any(p.durable for p in plain)  # without a share, a seed's programs are as they were
    assert [p.client for p in plain] == [p.client for p in wire_programs(60, seed=5, durable_share=0.0)]
    served = wire_programs(60, seed=5, durable_share=1.0)
    today = [p for p in served if p.configs[0] == WIRE_CONFIGS[0]]
    assert today and all(p.durable for p in today)
    assert not any(p.durable for p in served if p.configs[0] != WIRE_CONFIGS[0])
    for p in today:
        assert p.steps[0] == "ctx.acceptWebSocket(b)" and p.client is not None and p.client[-1] == "wait 500"
        assert p.ops and p.client_ops  # both compile
        assert any(str(s).startswith("webSocketClose: ") and "ws.close(" in str(s) for s in p.steps)
    mixed = generate(400, seed=11, wire=20, durable_wire=0.5)
    assert 0 < sum(p.durable and p.wire for p in mixed) < 20
    with pytest.raises(ValueError, match="share from 0 to 1"):
        generate(40, seed=1, durable_wire=1.5)
    assert main(["verify", "--generate", "5", "--durable-wire", "2"]) == 2


def test_a_wire_program_against_a_hibernatable_socket_runs_on_the_kit() -> None:
    from cfws_playground.fidelity.campaign import _Runner
    from cfws_playground.fidelity.generate_wire import WIRE_CONFIGS, wire_programs

    program = next(p for p in wire_programs(40, seed=8, durable_share=1.0) if p.configs[0] == WIRE_CONFIGS[0])
    rows = _Runner(None).kit(program)  # type: ignore[arg-type]  # (the kit side needs no workerd)
    assert rows[0] == "client: connected" and "-- object --" in rows, rows
    assert rows[rows.index("-- object --") + 1] == "ctx.acceptWebSocket(b) -> None", rows
