"""Durable Object scenarios: their steps, the kit's interpreter of them, and that a broken kit shows.

Every Durable Object scenario is compared with workerd's transcript by
tests/test_fidelity.py; these tests pin the language and the interpreter.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from cfws_playground.durable import texts
from cfws_playground.fidelity import SCENARIOS, Scenario, ScenarioSyntaxError, handler, verify
from cfws_playground.fidelity.dsl import compile_steps
from cfws_playground.fidelity.durable import Stamp, run_durable_on_kit, show
from cfws_playground.socket import WebSocketPair

# ---------------------------------------------------------------------- the steps


def test_durable_steps_compile_to_plain_operations() -> None:
    ops = compile_steps(
        [
            "pair c d",
            "ctx.acceptWebSocket(d, ['room'])",
            "webSocketMessage: ws.send('echo:' + message)",
            "env.OBJECT.idFromString('xyz')",
            "await all(ctx.storage.get('k'), ctx.storage.get('j'))",
        ],
        durable=True,
    )
    assert [op["do"] for op in ops] == ["pair", "ctx", "handler", "eval", "await"]
    assert ops[0]["ends"] == ["c", "d"]
    assert ops[1] == {
        "do": "ctx",
        "name": "acceptWebSocket",
        "args": [{"end": "d"}, {"arr": [{"v": "room"}]}],
        "text": "ctx.acceptWebSocket(d, ['room'])",
    }
    assert ops[2]["name"] == "webSocketMessage"
    assert ops[2]["body"][0]["end"] == "ws"
    assert ops[2]["body"][0]["args"] == [{"add": [{"v": "echo:"}, {"ev": "message"}]}]
    assert ops[3]["value"] == {
        "path": "env",
        "steps": [{"get": "OBJECT"}, {"call": "idFromString", "args": [{"v": "xyz"}]}],
    }
    assert len(ops[4]["value"]["all"]) == 2


def test_a_handler_block_is_the_same_as_its_one_line_form() -> None:
    one_line = compile_steps(["webSocketClose: ws.close(code, reason); ws.readyState"], durable=True)
    body = ("ws.close(code, reason)", "ws.readyState")
    block = compile_steps([handler("webSocketClose", *body)], durable=True)
    assert one_line == block


@pytest.mark.parametrize(
    "step",
    [
        "ctx.getTags(b)",  # ctx, pair, handlers, c..f and await belong to Durable Object scenarios
        "pair c d",
        "c.send('x')",
        "webSocketMessage: log(message)",
        "await ctx.storage.get('k')",
        "log(WebSocketRequestResponsePair('a', 'b'))",
    ],
)
def test_durable_steps_are_refused_in_a_pair_scenario(step: str) -> None:
    with pytest.raises(ScenarioSyntaxError):
        compile_steps([step])


@pytest.mark.parametrize(
    ("step", "says"),
    [
        ("ws.send('x')", "only inside one"),  # ws is a handler's socket
        ("on ws message: log(data)", "only inside one"),
        ("webSocketMessage: await ctx.storage.get('k')", "not in a listener or handler"),
        ("webSocketMessage: pair c d", "not in a listener or handler"),
        ("webSocketClose: settle", "cannot be inside"),
        ("on a message: webSocketMessage: log(message)", "not"),
        ("g.send('x')", "an end \\(a-f\\), ctx or env"),
    ],
)
def test_a_misplaced_durable_step_is_a_clear_error(step: str, says: str) -> None:
    with pytest.raises(ScenarioSyntaxError, match=says):
        compile_steps([step], durable=True)


# ---------------------------------------------------------------------- the transcript


def test_values_read_as_a_python_worker_sees_them() -> None:
    a, b = WebSocketPair()
    names = {a: "a", b: "b"}
    assert show(None, names) == "None"
    assert show([b, a, None], names) == "[b, a, None]"
    assert show({"k": [1, None]}, names) == "{k: [1, None]}"
    assert show(Stamp(time.time() * 1000), names) == "Date(recent)"
    assert show(Stamp(1234.0), names) == "Date(1970-01-01T00:00:01.234Z)"  # long ago: as toISOString()


def test_the_kit_runs_steps_and_handlers_in_an_object() -> None:
    rows = asyncio.run(
        run_durable_on_kit(
            compile_steps(
                [
                    "ctx.acceptWebSocket(b, ['x'])",
                    "a.accept()",
                    "webSocketMessage: ws.send('echo:' + message)",
                    "on a message: log(data)",
                    "a.send('hi')",
                    "settle",
                    "ctx.getWebSockets('x')",
                ],
                durable=True,
            ),
            "2026-11-17",
        )
    )
    assert rows == [
        "ctx.acceptWebSocket(b, ['x']) -> None",
        "a.accept() -> None",
        "a.addEventListener('message', L1)",
        "a.send('hi') -> None",
        'webSocketMessage(b, "hi") | b=1',
        "ws.send('echo:' + message) -> None",
        'a message L1: "echo:hi" | a=1 b=1',
        'log(data) -> "echo:hi"',
        "ctx.getWebSockets('x') -> [b]",
    ]


def test_every_agreed_durable_object_scenario_is_in_the_library() -> None:
    agreed = {
        "do-accept-then-acceptwebsocket", "do-acceptwebsocket-then-accept",
        "do-acceptwebsocket-peer-accepted",
        "do-listeners-never-fire", "do-handler-message-text-and-binary", "do-getwebsockets-order",
        "do-getwebsockets-closing", "do-tags-limit", "do-tag-too-long", "do-tags-duplicates-dropped",
        "do-gettags-errors", "do-auto-response-limits", "do-auto-response-clear", "do-auto-response-answered",
        "do-event-timeout-limit", "do-close-handler-clean", "do-close-handler-answers",
        "do-close-handler-echo-1005", "do-client-drop-1006", "do-attachment-roundtrip",
        "do-attachment-too-large", "do-handler-throws",
        "do-id-from-string-invalid", "do-rpc-missing-method", "do-storage-errors",
        "do-input-gate-timer-vs-storage",
    }  # fmt: skip
    durable = {s.name for s in SCENARIOS if s.durable}
    assert agreed <= durable
    closing = {"do-close-handler-clean", "do-close-handler-answers", "do-close-handler-echo-1005"}
    for sc in SCENARIOS:
        if sc.name in closing:
            assert {c[0] for c in sc.configs} == {"2025-09-01", "2026-11-17"} and len(sc.configs) == 3


# ---------------------------------------------------------------------- a broken kit shows


def test_a_broken_durable_object_kit_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    assert verify(["do-tags-limit", "do-getwebsockets-order"], live=False).ok
    monkeypatch.setattr(texts, "TOO_MANY_TAGS", "too many tags")
    from cfws_playground.durable import object as durable_object

    monkeypatch.setattr(durable_object.ObjectHost, "sockets", lambda self, tag=None: list(self._sockets))
    result = verify(["do-tags-limit", "do-getwebsockets-order"], live=False)
    assert {r.scenario.name for r in result.differing} == {"do-tags-limit", "do-getwebsockets-order"}
    assert "! ctx.getWebSockets() -> [b, d, f]" in result.text()


def test_a_learners_durable_scenario_runs_on_the_kit() -> None:
    mine = Scenario("mine", "tags", ("ctx.acceptWebSocket(b, ['a', 'a'])", "ctx.getTags(b)"), durable=True)
    result = verify([mine], live=False)
    assert result.results[0].kit == ["ctx.acceptWebSocket(b, ['a', 'a']) -> None", 'ctx.getTags(b) -> ["a"]']
    assert "no reference" in result.summary()
