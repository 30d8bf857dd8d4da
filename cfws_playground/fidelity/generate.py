"""Random programs over the scenario language, reproducible from a seed.

The library holds the behaviours someone thought of; the generator writes the
ones nobody did. :func:`generate` draws programs from a seeded
:class:`random.Random`: one pair or a Durable Object with several, listeners
added and removed (also while an event is being dispatched, with ``once``, as
``handleEvent`` objects and as ``on<type>`` attributes), sends of every value
kind the kit sends as workerd does, closes with valid and invalid codes and
reasons (numeric strings as JavaScript parses them, numbers out of range),
timers, microtasks, ``accept()`` at different moments, listeners that raise,
and the Durable Object calls (``acceptWebSocket``, tags, attachments up to and
over the size limit, the auto-response, handlers, storage).

The same seed gives the same programs, on any machine: a campaign is named by
its seed and its size. Programs are :class:`Scenario` objects, so a difference
found is already a scenario; :mod:`~cfws_playground.fidelity.shrink` makes it
minimal and :mod:`~cfws_playground.fidelity.campaign` runs the whole loop.

Three rules keep every program finite: only a message listener on ``b`` sends
(from ``b``; with ``cross_sends``, also a ``once`` message listener on another end,
from ``b``, never drawn inside a listener that runs again), only ``b`` and ``d`` become hibernatable (their
``webSocketMessage`` may echo), so no two ends echo each other for ever; and
``dispatchEvent`` happens only outside listeners (so no listener dispatches to
itself).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from .dsl import Op, handler, microtask, on, timeout
from .generate_wire import wire_programs
from .scenario import CONFIGS, Config, Scenario

__all__ = ["ATTACHMENT_LIMIT", "generate", "program", "wire_share"]

#: The attachment limit in serialized bytes; programs aim at both sides of it.
ATTACHMENT_LIMIT = 16384

Step = str | Op
T = TypeVar("T")

TEXTS = ("'x'", "''", "'héllo €'", "'ping'", "text(70)", "'\\ud800'", "'a\\x00b'")
BINARY = ("b'\\x01\\x02'", "b''", "ab(3)", "Uint8Array(2)", "scratch(b'\\x01\\x02\\x03')")
NUMBERS = ("42", "1.0", "2.5", "-0.0", "1e21", "NaN", "True", "False", "-7")
CODES = (
    "1000", "1000", "4000", "3000", "4999", "1001", "1003", "1007", "1011", "1012", "1014",
    "999", "1004", "1005", "1006", "1015", "1016", "2999", "5000", "0", "-1",
    "65536", "66536", "4294968296", "-4294966296", "1000.9", "4000.5", "-0.5", "1e21", "NaN", "True",
    "'1000'", "' 4000 '", "'0x3e8'", "'0X3E8'", "'0o1750'", "'0b1111101000'", "'1e3'", "''", "'abc'",
    "'1_000'", "'Infinity'", "'infinity'", "'+1000'", "'-0'", "'\\n1000\\t'", "'1000.'", "'.5e4'",
    "'4000abc'", "'١٠٠٠'", "None",
)  # fmt: skip
REASONS = (
    "None", "''", "'bye'", "'é'", "text(123)", "text(124)", "'€' + text(120)", "'€' + text(121)",
    "42", "2.5", "True", "'\\ud800'",
)  # fmt: skip
SMALL_ATTACHMENTS = ("'small'", "{'n': [1, 2]}", "None", "[1, 'two', None, True, 2.5]", "b'\\x01'", "42")
EVENT_TYPES = ("message", "message", "message", "close", "close", "error")
TIMER_MS = (0, 0, 1, 5, 30)
#: The delays of a timer set in a timer's callback, one for each of ``TIMER_MS``: no outer
#: delay plus one of these equals another such sum or a delay of ``TIMER_MS``, as
#: ``timeout(1, timeout(30))`` and ``timeout(30, timeout(1))`` would, and each sum is at
#: least 2 ms from a multiple of 5, where top-level ``sleep 5`` steps end (seed 20261220
#: found ``timeout(0, timeout(11))`` against two of them), and at least 2 ms from every
#: delay of ``TIMER_MS`` (seed 20261229 found ``timeout(0, timeout(0))`` against a
#: top-level ``timeout(1)``): timers that fall due within a millisecond of each other fire
#: in either order, on workerd and on the kit.
NESTED_TIMER_MS = (8, 8, 2, 12, 47)
TAGS = (
    "[]", "['t']", "['t', 'u']", "['t', 't']", "['u']", "[text(256)]", "[text(257)]", "'tag'", "[1, True]",
)  # fmt: skip


class _Gen:
    """One program's worth of choices; the names it has defined so far."""

    def __init__(self, rng: random.Random, durable: bool, cross: bool = False) -> None:
        self.rng = rng
        self.durable = durable
        self.cross = cross  # a once message listener on a may send from b
        self.in_once = False  # drawing the body of such a listener
        self.in_repeating = False  # drawing the body of a listener that is not once
        self.ends = ["a", "b"]
        self.listeners: list[tuple[str, str, str]] = []  # (end, type, id)
        self.next_id = 0
        self.hibernatable: set[str] = set()

    def pick(self, seq: Sequence[T]) -> T:
        return self.rng.choice(seq)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # values ---------------------------------------------------------------

    def send_value(self) -> str:
        kind = self.rng.random()
        if kind < 0.45:
            return str(self.pick(TEXTS))
        if kind < 0.7:
            return str(self.pick(BINARY))
        return str(self.pick(NUMBERS))

    def close_args(self) -> str:
        r = self.rng.random()
        if r < 0.1:
            return ""
        code = self.pick(CODES)
        if r < 0.3:
            return code
        return f"{code}, {self.pick(REASONS)}"

    # steps ----------------------------------------------------------------

    def end(self) -> str:
        return str(self.pick(self.ends))

    def simple(self, *, listener: tuple[str, str] | None, depth: int) -> Step:
        """One statement, at top level (``listener`` None) or in a listener/timer body."""
        end = self.end()
        may_send = listener is None or not (listener[1] == "message" and listener[0] != "b") or self.in_once
        r = self.rng.random()
        if r < 0.2 and may_send:
            if listener is not None and listener[1] == "message":
                end = "b"
            if self.durable and listener is not None and listener[0] == "ws":
                end = "ws"
            return f"{end}.send({self.send_value()})"
        if r < 0.33:
            if listener is not None and listener[1] == "message" and listener[0] != "b":
                end = listener[0] if listener[0] != "ws" else "b"
            return f"{end}.close({self.close_args()})"
        if r < 0.4:
            opts = self.pick(("", "", "{'allowHalfOpen': True}", "{'allowHalfOpen': False}"))
            return f"{end}.accept({opts})"
        if r < 0.47:
            return self.pick(("state", f"{end}.readyState", f"{end}.binaryType", f"{end}.bufferedAmount"))
        if r < 0.55 and self.listeners:
            lend, ltype, ident = self.pick(self.listeners)
            return f"{self.pick(('off', 'off', 'add'))} {lend} {ltype} {ident}"
        if r < 0.62:
            return self.listener(depth=depth + 1)
        if r < 0.68:
            return f"{end}.on{self.pick(EVENT_TYPES)} = None"
        if r < 0.73 and listener is not None:
            return f"raise {self.pick(('Error', 'TypeError'))}('boom')"
        if r < 0.78 and listener is not None:
            field = {"message": "data", "close": "code", "error": "message"}.get(listener[1], "type")
            other = "log(reason)" if field == "code" else "log(data)"
            return self.pick((f"log({field})", "log(type)", "log(event)", other))
        if r < 0.84 and depth < 2:
            body = [self.simple(listener=listener, depth=depth + 1) for _ in range(self.rng.randint(1, 2))]
            if self.chance(0.5):
                return timeout(self.pick(TIMER_MS), *map(_nested, body))
            return microtask(*body)
        if r < 0.88:
            return f"{end}.binaryType = {self.pick(('arraybuffer', 'blob', 'text'))!r}"
        if r < 0.93 and listener is None:
            return self.dispatch()
        if r < 0.96:
            kind = self.pick(("1", "{'handleEvent': 1}", "None", "'fn'", "[]"))
            method = self.pick(("addEventListener", "removeEventListener"))
            return f"{end}.{method}({self.pick(EVENT_TYPES)!r}, {kind})"
        if self.durable:
            return self.durable_call(listener=listener)
        return f"!{end}.close({self.close_args()})" if listener is not None else "state"

    def dispatch(self) -> str:
        end = self.end()
        return self.pick((
            f"{end}.dispatchEvent(Event('message'))",
            f"{end}.dispatchEvent(MessageEvent('message', {{'data': 'd'}}))",
            f"{end}.dispatchEvent(CloseEvent('close', {{'code': 4000, 'reason': 'r'}}))",
            f"{end}.dispatchEvent(Event('ping'))",
            f"{end}.dispatchEvent('message')",
        ))  # fmt: skip

    def listener(self, *, depth: int) -> Step:
        end = self.end()
        etype = self.pick(EVENT_TYPES)
        self.next_id += 1
        ident = f"L{self.next_id}"
        if self.cross and not self.in_repeating and etype == "message" and end != "b" and self.chance(0.5):
            # Called once, it may send from b: b's message comes back to a listener that is gone.
            # Never inside a listener that runs again, which would add a fresh one each time
            # and echo b's messages for ever.
            outer, self.in_once = self.in_once, True
            try:
                body = [
                    self.simple(listener=(end, etype), depth=depth) for _ in range(self.rng.randint(1, 3))
                ]
            finally:
                self.in_once = outer
            # (not in self.listeners: added again without once, it could echo for ever)
            return on(f"on {end} {etype} as {ident} once", *body)
        outer, self.in_once = self.in_once, False
        repeating, self.in_repeating = self.in_repeating, True
        try:
            body = [self.simple(listener=(end, etype), depth=depth) for _ in range(self.rng.randint(0, 3))]
        finally:
            self.in_once = outer
            self.in_repeating = repeating
        r = self.rng.random()
        if r < 0.15:
            header = f"{end}.on{etype}"  # the on<type> attribute
        else:
            header = f"on {end} {etype} as {ident}"
            if self.chance(0.25):
                header += " once"
            elif self.chance(0.2):
                header += " object"
            self.listeners.append((end, etype, ident))
        return on(header, *body) if body else on(header)

    def durable_call(self, *, listener: tuple[str, str] | None) -> Step:
        end = self.pick([e for e in self.ends])
        r = self.rng.random()
        if r < 0.2:
            # Only a server end (b, d) becomes hibernatable: its handler may echo, and a client
            # end's message listeners never send, so no two ends echo each other for ever.
            end = self.pick([e for e in ("b", "d") if e in self.ends])
            return f"ctx.acceptWebSocket({end}" + (f", {self.pick(TAGS)})" if self.chance(0.6) else ")")
        if r < 0.35:
            return f"ctx.getTags({end})"
        if r < 0.45:
            return self.pick(("ctx.getWebSockets()", "ctx.getWebSockets('t')", "ctx.getWebSockets('u')"))
        if r < 0.65:
            return f"{end}.serializeAttachment({self.attachment()})"
        if r < 0.75:
            return f"{end}.deserializeAttachment()"
        if r < 0.85:
            return self.pick((
                "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'pong'))",
                "ctx.setWebSocketAutoResponse()",
                "ctx.getWebSocketAutoResponse()",
                f"ctx.getWebSocketAutoResponseTimestamp({end})",
            ))  # fmt: skip
        return f"{end}.readyState"

    def attachment(self) -> str:
        """A value to attach: small, or sized to land within a few bytes of the limit."""
        r = self.rng.random()
        if r < 0.3:
            return self.pick(SMALL_ATTACHMENTS)
        # A container around one long text, its length chosen so that the whole is near the limit.
        shape = self.pick((
            "text({n})", "'€' + text({n})", "{{'k': text({n})}}", "[text({n}), 1]",
            "{{'a': {{'b': [text({n})]}}}}",
            "[text({n}), 2.5, -1, 2147483648]", "{{'k': text({n}), 'b': b'\\x01\\x02', 'n': None}}",
            "[ab(16), text({n})]", "{{'x': Uint8Array(4), 'y': text({n})}}", "[text({n}), 'é']",
        ))  # fmt: skip
        overhead = self.pick((3, 5, 8, 12, 20, 30, 40, 60))
        n = ATTACHMENT_LIMIT - overhead + self.rng.randint(-6, 6)
        return str(shape.format(n=n))

    def durable_prelude(self) -> list[Step]:
        steps: list[Step] = []
        if self.chance(0.8):
            tags = f", {self.pick(TAGS)}" if self.chance(0.5) else ""
            steps.append(f"ctx.acceptWebSocket(b{tags})")
            self.hibernatable.add("b")
        if self.chance(0.5):
            steps.append("pair c d")
            self.ends += ["c", "d"]
            if self.chance(0.7):
                steps.append(f"ctx.acceptWebSocket(d, {self.pick(TAGS)})")
        for name in ("webSocketMessage", "webSocketClose", "webSocketError"):
            if self.chance(0.6):
                body = [self.handler_step(name) for _ in range(self.rng.randint(0, 2))]
                steps.append(handler(name, *body))
        return steps

    def handler_step(self, name: str) -> Step:
        r = self.rng.random()
        if r < 0.3 and name == "webSocketClose":
            return self.pick(
                ("ws.close(code, reason)", "ws.close(1000, 'ok')", f"ws.close({self.close_args()})")
            )
        if r < 0.45 and name == "webSocketMessage":
            return self.pick(("ws.send('echo')", "ws.send(message)", "log(message)"))
        if r < 0.6:
            return "ctx.getTags(ws)"
        if r < 0.7:
            return "ws.deserializeAttachment()"
        if r < 0.8:
            return "ctx.getWebSockets()"
        if r < 0.9:
            return "raise Error('boom')"
        return "ws.readyState"

    def storage(self) -> str:
        return self.pick((
            "await ctx.storage.put('k', 1)",
            "await ctx.storage.get('k')",
            "await ctx.storage.list()",
            "await ctx.storage.delete('k')",
            "await ctx.storage.put({'a': 1, 'b': [2]})",
            "await ctx.storage.get(['a', 'k', 'zz'])",
        ))  # fmt: skip

    def program(self) -> list[Step]:
        steps: list[Step] = []
        if self.durable:
            steps += self.durable_prelude()
        if self.chance(0.75):
            steps.append("watch")
        for end in ("a", "b"):  # most programs talk; some accept late, or never
            if end not in self.hibernatable and self.chance(0.7):
                steps.append(f"{end}.accept()")
        for _ in range(self.rng.randint(2, 12)):
            r = self.rng.random()
            if r < 0.12:
                steps.append(self.pick(("settle", "settle", "sleep 0", "sleep 5")))
            elif r < 0.3:
                steps.append(self.listener(depth=0))
            elif r < 0.42 and not any(s == f"{e}.accept()" for s in steps for e in "ab"):
                steps.append(f"{self.end()}.accept()")
            elif r < 0.55 and self.durable:
                steps.append(self.durable_call(listener=None) if self.chance(0.8) else self.storage())
            else:
                steps.append(self.simple(listener=None, depth=0))
        steps.append(self.pick(("settle", "state", "settle")))
        if self.durable and self.chance(0.5):
            steps.append(f"ctx.getTags({self.pick(sorted(self.hibernatable) or ['b'])})")
            steps.append("ctx.getWebSockets()")
        return steps


def _nested(step: Step) -> Step:
    """``step`` as the body of a timer: a timer in it takes its delay from ``NESTED_TIMER_MS``."""
    if isinstance(step, dict) and step.get("block") == "timeout":
        return {**step, "ms": NESTED_TIMER_MS[TIMER_MS.index(step["ms"])]}
    return step


def program(rng: random.Random, *, durable: bool, cross: bool = False) -> list[Step]:
    """One program's steps, drawn from ``rng`` (``cross``: see :func:`generate`)."""
    return _Gen(rng, durable, cross).program()


def wire_share(count: int) -> int:
    """How many of ``count`` programs are wire programs: one in 200, at least one from 10 on.

    Each costs a real connection on both sides (about a second), where an in-worker
    program costs milliseconds.
    """
    return 0 if count < 10 else max(1, count // 200)


def generate(
    count: int,
    seed: int,
    *,
    configs: tuple[Config, ...] = CONFIGS,
    wire: int | None = None,
    durable_wire: float = 0.0,
    cross_sends: bool = False,
) -> list[Scenario]:
    """``count`` programs from ``seed``: the same seed, the same programs, in the same order.

    About one in four of the in-worker ones runs in a Durable Object; each runs under
    one configuration drawn from ``configs`` (a Durable Object program under the newest).
    The last ``wire`` programs (:func:`wire_share` by default) are wire programs, a
    raw client against a Worker (:mod:`.generate_wire`), drawn from a stream of their
    own: program ``i`` of a seed is the same whatever the share. With ``durable_wire``
    (0 to 1) that share of the wire programs at today's date has a Durable Object's
    hibernatable socket as the server; without it a seed's programs are as before.
    With ``cross_sends``, half of the message listeners on an end other than ``b`` are
    ``once`` listeners that may also send from ``b`` (a listener's send from its peer;
    never inside a listener that runs again),
    which the programs otherwise never do; without it a seed's programs are as before.
    """
    if not 0.0 <= durable_wire <= 1.0:
        raise ValueError(f"durable_wire is a share from 0 to 1, not {durable_wire!r}")
    count_wire = wire_share(count) if wire is None else wire
    wired = wire_programs(count_wire, seed, configs, durable_share=durable_wire)
    rng = random.Random(seed)
    out = []
    for i in range(count - len(wired)):
        durable = rng.random() < 0.25
        steps = program(rng, durable=durable, cross=cross_sends)
        config = configs[-2] if durable else rng.choice(configs)
        out.append(
            Scenario(
                f"gen-{seed}-{i}",
                f"generated program {i} of seed {seed}",
                tuple(steps),
                configs=(config,),
                durable=durable,
                tags=("generated",),
            )
        )
    return out + wired
