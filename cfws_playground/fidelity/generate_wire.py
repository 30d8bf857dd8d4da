"""Random wire programs: the raw RFC 6455 client against a Worker, valid and malformed frames.

In-worker programs (:mod:`.generate`) never reach the bridge: how a network
client's frames are read, refused and answered, and what the Worker's end
then sees (``webSocketError``-like error events, close 1002, the trailing
"Network connection lost."). :func:`wire_program` draws a Worker (an end that
echoes, logs, closes or raises), or a Durable Object whose hibernatable socket does
the same in its handlers, and a raw client (:mod:`.rawclient`) that sends
what RFC 6455 allows and what it forbids: text that is not UTF-8, fragments and
continuations, pings and pongs (also over 125 bytes), unmasked frames, Close
payloads of every odd shape and reserved codes, reserved bits and opcodes,
fragmented control frames. Several frames often go in one write, as kj then reads
them from one buffer.

Every program stays deterministic on a busy machine: a frame the server refuses
and a Close are always the last thing the client writes (anything after them
goes in the same write, so no write races the server's end of the connection),
the client never waits for a frame that may not come (its last step, ``wait``,
reads until the server ends the connection), and at dates where nothing answers
a Close by itself the Worker's close listener does (an object's ``webSocketClose``
always does; after a refused frame workerd keeps an object's connection open, so
the client then waits half a second and reports it still open).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from .dsl import on, timeout
from .rawclient import OPCODES
from .scenario import Config, Scenario

__all__ = ["WIRE_CONFIGS", "wire_program", "wire_programs"]

T = TypeVar("T")
Step = str | dict[str, object]

NEW: Config = ("2026-11-17", ())
OTHER: tuple[Config, ...] = (("2025-09-01", ()), ("2026-11-17", ("web_socket_manual_reply_to_close",)))

TEXTS = (b"x", b"", "héllo €".encode(), b"a\xffb", b"\xf0\x9f\x98", b"\xed\xa0\x80", b"\xc0\xaf", b"ok" * 70)
BINARY = (b"\x01\x02", b"", bytes(130))
#: Close payloads: ordinary, empty, one byte, a reason that is not UTF-8, reserved and
#: out-of-range codes, and one over a control frame's 125 bytes.
CLOSES = (
    b"\x03\xe8bye", b"\x03\xe8", b"", b"\x03", b"\x03\xe8\xff", b"\x03\xed", b"\x03\xeex", b"\x03\xe7",
    b"\x13\x88x", b"\x00\x00", b"\x03\xf7", b"\x0f\xa0" + b"r" * 123, bytes(126),
)  # fmt: skip
#: Frames kj refuses (with 1002 and its words), given as (opcode, payload, fin, rsv).
REFUSED = (
    (1, b"hi", True, 2), (1, b"hi", True, 1), (1, b"hi", True, 4), (3, b"x", True, 0), (11, b"", True, 0),
    (9, b"p", False, 0), (0, b"x", True, 0), (8, b"\x03\xe8", True, 4),
)  # fmt: skip


class _WireGen:
    """One wire program's choices: the Worker, then the client's writes."""

    def __init__(self, rng: random.Random, durable_share: float = 0.0) -> None:
        self.rng = rng
        self.durable_share = durable_share
        self.fragment_open = False  # a fragmented message has begun and not ended

    def pick(self, seq: Sequence[T]) -> T:
        return self.rng.choice(seq)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def worker(self, answers_close: bool) -> list[Step]:
        steps: list[Step] = ["b.accept()", "watch"]
        # (A Blob echoed is the kit's deliberate TypeError, wire-blob-echo-is-text: not drawn.)
        steps.append("b.binaryType = 'arraybuffer'")
        body: list[Step] = [
            self.pick((
                "b.send(data)", "b.send(data)", "b.send('echo')", "log(data)", "b.bufferedAmount",
                "b.close(1000, 'done')", "raise Error('boom')",
            ))
        ]  # fmt: skip
        if self.chance(0.2):
            body.append(timeout(0, self.pick(("b.send('late')", "b.readyState", "b.close(4000, 'timer')"))))
        steps.append(on("b message", *body))
        if answers_close:
            steps.append(on("b close", "b.close(1000, 'ok')"))
        elif self.chance(0.3):
            after: str = self.pick(("b.close(code, reason)", "b.send('after')", "log(reason)"))
            steps.append(on("b close", after))
        if self.chance(0.3):
            steps.append(on("b error", "log(message)"))
        return steps

    def durable_worker(self) -> list[Step]:
        """A Durable Object that accepts the client's socket with ``ctx.acceptWebSocket()``."""
        message = self.pick((
            "ws.send(message)", "ws.send(message)", "ws.send('echo')", "ws.send(message); ws.send('2')",
            "log(message)", "ws.close(1000, 'done')", "raise Error('boom')",
        ))  # fmt: skip
        close = self.pick((
            "ws.close(1000, 'ok')", "ws.close(code, reason)", "ws.readyState; ws.close(1000, 'ok')",
        ))  # fmt: skip
        return [
            "ctx.acceptWebSocket(b)",
            f"webSocketMessage: {message}",
            f"webSocketClose: {close}",
            "webSocketError: ws.readyState",
        ]

    def frame(self) -> tuple[int, bytes, bool, int, bool]:
        """A frame kj accepts: (opcode, payload, fin, rsv, masked), keeping fragments consistent."""
        r = self.rng.random()
        masked = not self.chance(0.15)
        if r < 0.25 and self.fragment_open:
            fin = self.chance(0.6)
            self.fragment_open = not fin
            return 0, self.pick(TEXTS[:3]), fin, 0, masked
        if r < 0.45:
            return 9, self.pick((b"p", b"", b"q", bytes(126))), True, 0, masked
        if r < 0.52:
            return 10, self.pick((b"x", bytes(200))), True, 0, masked
        if self.fragment_open:  # only a continuation or a control frame may come now
            return 9, b"f", True, 0, masked
        fin = not self.chance(0.2)
        self.fragment_open = not fin
        if self.chance(0.65):
            return 1, self.pick(TEXTS), fin, 0, masked
        return 2, self.pick(BINARY), fin, 0, masked

    def last(self) -> tuple[int, bytes, bool, int, bool]:
        """What ends the client's frames: a Close of some shape, or a frame kj refuses."""
        if self.chance(0.7):
            return 8, self.pick(CLOSES), True, 0, not self.chance(0.15)
        opcode, payload, fin, rsv = self.pick(REFUSED)
        if opcode == 0 and self.fragment_open:
            opcode = 1  # a new message inside a fragmented one: refused too
        return opcode, payload, fin, rsv, True

    def client(self, durable: bool = False) -> list[str]:
        steps: list[str] = []
        writes = self.rng.randint(1, 3)
        for i in range(writes):
            frames = [self.frame() for _ in range(self.rng.randint(0 if i == writes - 1 else 1, 3))]
            if i == writes - 1:
                frames.append(self.last())
                if self.chance(0.2):  # frames after the Close or the refusal, in the same write
                    frames.append((1, b"after", True, 0, True))
            if steps:
                steps.append("sleep 30")
            steps.append(_write_step(frames))
        steps.append("wait 500" if durable else "wait")
        return steps

    def program(self, configs: Sequence[Config]) -> tuple[list[Step], list[str], Config, bool]:
        others = [c for c in OTHER if c in configs]
        config = NEW if NEW in configs and (not others or self.chance(0.75)) else self.pick(others)
        # (Drawn only with a share: the programs of a seed stay the same without one.)
        if config == NEW and self.durable_share and self.chance(self.durable_share):
            return self.durable_worker(), self.client(durable=True), config, True
        worker = self.worker(answers_close=config != NEW)
        return worker, self.client(), config, False


def _frame_text(frame: tuple[int, bytes, bool, int, bool]) -> str:
    opcode, payload, fin, rsv, masked = frame
    name = next((k for k, v in OPCODES.items() if v == opcode), str(opcode))
    opts = ("" if fin else " fin=0") + (f" rsv={rsv}" if rsv else "") + ("" if masked else " mask=0")
    shown = f"bytes({len(payload)})" if len(payload) > 8 and not any(payload) else repr(payload)
    return f"{name} {shown}{opts}"


def _write_step(frames: list[tuple[int, bytes, bool, int, bool]]) -> str:
    """One write: a ``frame`` step for a single frame, a ``frames`` step for several."""
    if len(frames) == 1:
        return f"frame {_frame_text(frames[0])}"
    return "frames " + " + ".join(_frame_text(f) for f in frames)


#: The configurations wire programs run under (the Worker answers a Close itself at the others).
WIRE_CONFIGS: tuple[Config, ...] = (NEW, *OTHER)


def wire_program(
    rng: random.Random, configs: Sequence[Config] = WIRE_CONFIGS, *, durable_share: float = 0.0
) -> tuple[list[Step], list[str], Config, bool]:
    """One wire program drawn from ``rng``: the Worker's (or object's) steps, the raw client's, the
    configuration (one of ``configs`` that is in :data:`WIRE_CONFIGS`; there must be one), and
    whether the server is a Durable Object (drawn at today's date with ``durable_share``)."""
    return _WireGen(rng, durable_share).program(configs)


def wire_programs(
    count: int, seed: int, configs: Sequence[Config] = WIRE_CONFIGS, *, durable_share: float = 0.0
) -> list[Scenario]:
    """``count`` wire programs from ``seed`` (a stream of their own: the in-worker programs of the
    same seed are the same with or without them); none when ``configs`` has no wire configuration."""
    if not any(c in WIRE_CONFIGS for c in configs):
        return []
    rng = random.Random(f"wire-{seed}")
    out = []
    for i in range(count):
        worker, client, config, durable = wire_program(rng, configs, durable_share=durable_share)
        out.append(
            Scenario(
                f"gen-{seed}-wire-{i}",
                f"generated wire program {i} of seed {seed}",
                tuple(worker),
                configs=(config,),
                client=tuple(client),
                durable=durable,
                tags=("generated", "wire"),
            )
        )
    return out
