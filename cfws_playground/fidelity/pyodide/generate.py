"""Random Python Workers programs, reproducible from a seed.

The Python library holds the behaviours someone thought of; the generator
writes programs nobody picked, in the Python a Workers developer writes: a
``WebSocketPair`` from ``js``, listeners made with ``create_proxy`` (plain,
``async def``, raising, answering, closing, removing themselves, as ``on<type>``
attributes), sends of every kind of Python value (``str``, ``bytes`` with and
without ``to_js``, numbers, ``None``, ``jsnull``, dicts and lists), ``close()``
with every kind of code and reason, ``accept()`` at different moments, and
asyncio (``sleep(0)``, ``call_soon``, tasks) mixed with JavaScript's
``queueMicrotask`` and ``setTimeout``.

A program is a :class:`~.scenario.PyScenario` whose code is a list of *steps*
(each self-contained, so the shrinker may drop any of them); its transcript is
what it prints. The same seed gives the same programs on any machine. One rule
keeps every program finite: the listeners that send or close share one budget.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .library import _CLOSES, _SENT, WATCH_HELPERS
from .scenario import PY_CONFIGS, PyScenario

__all__ = ["PREAMBLE", "PyProgram", "python_program", "python_programs"]

#: What every program starts with: the pair (not accepted yet), the helpers, the budget.
PREAMBLE = (
    """
import asyncio
from js import WebSocketPair, Object, JSON, queueMicrotask, setTimeout
from pyodide.ffi import create_proxy, to_js, jsnull
client, server = WebSocketPair.new().object_values()
budget = [6]
"""
    + WATCH_HELPERS
    + "\n"
)

#: What every program ends with: time for what is still on its way, then both states.
ENDING = """
await asyncio.sleep(0)
print("end", show(client.readyState), show(server.readyState))
"""

_ENDS = ("client", "server")
#: (A memoryview without ``to_js`` is sent as its repr, which names its address: its length,
#: and so ``bufferedAmount``, depends on the machine. Its own scenario shows the text.)
_VALUES = tuple(value for slug, value, _about in _SENT if slug != "memoryview")
_CLOSE_ARGS = tuple(args for _slug, args, _about in _CLOSES)
_EVENT_TYPES = ("message", "message", "message", "close", "error")


@dataclass(frozen=True)
class PyProgram:
    """A generated program: its name, its steps (code blocks) and the kind of each step."""

    name: str
    steps: tuple[str, ...]
    kinds: tuple[str, ...]

    def code(self) -> str:
        return PREAMBLE + "\n" + "\n".join(self.steps) + "\n" + ENDING

    def scenario(self) -> PyScenario:
        return PyScenario(
            self.name, "A generated program.", self.code(), configs=PY_CONFIGS, tags=("generated",)
        )

    def without(self, index: int) -> PyProgram:
        """The same program with step ``index`` left out (what the shrinker tries)."""
        return PyProgram(
            self.name,
            self.steps[:index] + self.steps[index + 1 :],
            self.kinds[:index] + self.kinds[index + 1 :],
        )


def _guarded(call: str, label: str, indent: str = "") -> str:
    """``call`` printing what it returned, or what it raised."""
    return (
        f"{indent}try:\n"
        f"{indent}    print({label!r}, show({call}))\n"
        f"{indent}except Exception as exc:\n"
        f"{indent}    print({label!r}, 'raised', show(exc))\n"
    )


class _Writer:
    """Draws the steps of one program from ``rng``; numbers the names it defines."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.n = 0

    def fresh(self) -> int:
        self.n += 1
        return self.n

    def end(self) -> str:
        return self.rng.choice(_ENDS)

    def action(self, name: str) -> tuple[str, str]:
        """A listener's or a callback's body (indented by four) and its kind."""
        rng, end = self.rng, self.end()
        roll = rng.random()
        if roll < 0.3:
            value = rng.choice(_VALUES)
            body = "    if budget[0] > 0:\n        budget[0] -= 1\n" + _guarded(
                f"{end}.send({value})", f"{name} {end}.send({value})", "        "
            )
            return body, "sends"
        if roll < 0.45:
            args = rng.choice(_CLOSE_ARGS)
            body = "    if budget[0] > 0:\n        budget[0] -= 1\n" + _guarded(
                f"{end}.close({args})", f"{name} {end}.close({args})", "        "
            )
            return body, "closes"
        if roll < 0.55:
            return f"    raise ValueError({name!r})\n", "raises"
        if roll < 0.65:
            return (
                f"    asyncio.get_event_loop().call_soon(lambda: print({name!r}, 'call_soon'))\n",
                "call_soon",
            )
        if roll < 0.72:
            return f"    queueMicrotask(create_proxy(lambda: print({name!r}, 'microtask')))\n", "microtask"
        return f"    print({name!r}, 'state', show(client.readyState), show(server.readyState))\n", "prints"

    def listener(self) -> tuple[str, str]:
        rng = self.rng
        n = self.fresh()
        name, end, etype = f"L{n}", self.end(), rng.choice(_EVENT_TYPES)
        body, kind = self.action(name)
        asynchronous = rng.random() < 0.2
        head = f"{'async ' if asynchronous else ''}def {name}(event):\n"
        head += f"    print({name!r}, event.type, describe(event))\n"
        if asynchronous:
            head += "    await asyncio.sleep(0)\n" + f"    print({name!r}, 'resumed')\n"
        form = rng.random()
        if form < 0.15:
            register = f"{end}.on{etype} = create_proxy({name})\n"
            kind_form = "on-attribute"
        elif form < 0.3:
            # removes itself when called: only the first event reaches it
            head = head.replace(
                f"def {name}(event):\n",
                f"def {name}(event):\n    {end}.removeEventListener({etype!r}, P{n})\n",
                1,
            )
            register = f"P{n} = create_proxy({name})\n{end}.addEventListener({etype!r}, P{n})\n"
            kind_form = "self-removing"
        else:
            register = f"{end}.addEventListener({etype!r}, create_proxy({name}))\n"
            kind_form = "addEventListener"
        return (
            head + body + register,
            f"listener {etype} {kind_form}{' async' if asynchronous else ''} {kind}",
        )

    def step(self) -> tuple[str, str]:
        rng = self.rng
        roll = rng.random()
        end = self.end()
        if roll < 0.22:
            value = rng.choice(_VALUES)
            return _guarded(f"{end}.send({value})", f"{end}.send({value})"), "send"
        if roll < 0.32:
            args = rng.choice(_CLOSE_ARGS)
            return _guarded(f"{end}.close({args})", f"{end}.close({args})"), "close"
        if roll < 0.55:
            return self.listener()
        if roll < 0.6:
            return _guarded(f"{end}.accept()", f"{end}.accept()"), "accept"
        if roll < 0.68:
            return "await asyncio.sleep(0)\n", "sleep(0)"
        if roll < 0.73:
            n = self.fresh()
            return (
                f"async def T{n}():\n    print('T{n} runs')\n    await asyncio.sleep(0)\n"
                f"    print('T{n} resumed', show(client.readyState), show(server.readyState))\n"
                f"asyncio.ensure_future(T{n}())\n"
            ), "task"
        if roll < 0.78:
            n = self.fresh()
            return f"asyncio.get_event_loop().call_soon(lambda: print('C{n} call_soon'))\n", "call_soon"
        if roll < 0.83:
            n = self.fresh()
            return f"queueMicrotask(create_proxy(lambda: print('M{n} microtask')))\n", "queueMicrotask"
        if roll < 0.86:
            n = self.fresh()
            return f"setTimeout(create_proxy(lambda: print('S{n} setTimeout')), 0)\n", "setTimeout"
        if roll < 0.9:
            kind = rng.choice(("arraybuffer", "blob"))
            return f"{end}.binaryType = {kind!r}\n", "binaryType"
        if roll < 0.95:
            return (
                "print('state', show(client.readyState), show(server.readyState), "
                "show(client.bufferedAmount), show(server.bufferedAmount))\n"
            ), "state"
        return f'watch("{end}", {end})\n', "watch"


def python_program(seed: int, index: int) -> PyProgram:
    """Program ``index`` of the campaign ``seed`` (the same on every machine)."""
    rng = random.Random(f"py-{seed}-{index}")
    writer = _Writer(rng)
    steps: list[str] = []
    kinds: list[str] = []
    # Most programs accept both ends first, as Workers code does; the rest accept later, or never.
    for end in _ENDS:
        if rng.random() < 0.85:
            steps.append(_guarded(f"{end}.accept()", f"{end}.accept()"))
            kinds.append("accept")
    if rng.random() < 0.7:
        steps.append('watch("server", server)\n')
        kinds.append("watch")
    for _ in range(rng.randint(2, 9)):
        step, kind = writer.step()
        steps.append(step)
        kinds.append(kind)
    return PyProgram(f"pygen-{seed}-{index}", tuple(steps), tuple(kinds))


def python_programs(n: int, seed: int) -> list[PyProgram]:
    """The first ``n`` programs of the campaign ``seed``."""
    return [python_program(seed, i) for i in range(n)]
