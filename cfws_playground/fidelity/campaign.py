"""A generated campaign: N programs from a seed, on the kit and on live workerd, compared.

:func:`run_campaign` generates the programs (:mod:`.generate`), runs each on
the kit and, in batches, on one workerd process, and compares the transcripts.
A program that differs is grouped by its *signature* (the first pair of rows
that differ, with names, numbers and strings blanked out), and the first program
of each new signature is shrunk (:mod:`.shrink`) to a minimal program that still
differs with the same signature. :class:`Campaign` holds the outcome: the seed,
the program count, the minimal programs with both transcripts, and the coverage
(API calls, event kinds, the two ends' readyState pairs) measured on workerd's
transcripts.

:func:`library_entry` writes a minimal program as a scenario for
``library_generated.py``; ``cfws-playground verify --generate N --seed S --save``
appends them there.
"""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .compare import _run_kit
from .dsl import ScenarioSyntaxError
from .generate import generate
from .rawclient import parse_frame_step
from .scenario import CONFIGS, Config, Scenario, config_key
from .shrink import shrink
from .workerd import WorkerdServer

__all__ = ["Campaign", "Coverage", "Difference", "classify", "library_entry", "run_campaign", "signature"]

_BATCH = 250
_KIT_TIMEOUT = 10.0
GENERATED_FILE = Path(__file__).parent / "library_generated.py"


def _norm(row: str) -> str:
    row = re.sub(r"\(.*\) ->", "() ->", row)
    row = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "S", row)
    row = re.sub(r"\b[a-f]=\d", "e=N", row)
    row = re.sub(r"\d+", "N", row)
    return re.sub(r"^(?:[a-f]|ws)\b", "E", row)


def signature(kit: Sequence[str], workerd: Sequence[str]) -> tuple[str, str] | None:
    """The first pair of rows that differ, normalized; None when the transcripts are the same."""
    if list(kit) == list(workerd):
        return None
    sm = difflib.SequenceMatcher(a=kit, b=workerd, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            k = kit[i1] if i1 < i2 else ""
            w = workerd[j1] if j1 < j2 else ""
            return _norm(k), _norm(w)
    return None  # pragma: no cover - unequal lists have an opcode that is not "equal"


@dataclass
class Difference:
    """One kind of difference: the program it was found in, shrunk; both transcripts of the minimal one."""

    signature: tuple[str, str]
    found_in: str  # the generated program's name
    original: Scenario
    minimal: Scenario
    kit: list[str]
    workerd: list[str]
    count: int = 1  # programs in the campaign with this signature

    def text(self) -> str:
        out = [
            f"── {self.minimal.name} [{config_key(self.minimal.configs[0])}]"
            f"{' durable' if self.minimal.durable else ''}: {self.count} program(s), "
            f"first {self.found_in} ({len(self.original.steps)} steps, shrunk to {len(self.minimal.steps)})"
        ]
        out += [f"   step: {_source(s)}" for s in self.minimal.steps]
        out += [f"   client: {s}" for s in self.minimal.client or ()]
        for same, k, w in _aligned(self.kit, self.workerd):
            out.append(f"   {'  ' if same else '! '}{k:<70} {'=' if same else '|'} {'' if same else w}")
        return "\n".join(out)


def _aligned(kit: list[str], workerd: list[str]) -> list[tuple[bool, str, str]]:
    rows = []
    sm = difflib.SequenceMatcher(a=kit, b=workerd, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            rows += [(True, r, r) for r in kit[i1:i2]]
            continue
        a, b = kit[i1:i2], workerd[j1:j2]
        for k in range(max(len(a), len(b))):
            rows.append((False, a[k] if k < len(a) else "", b[k] if k < len(b) else ""))
    return rows


_CALL = re.compile(r"^!?(?:await )?(?:[a-f]|ws|ctx|env)((?:\.\w+)+)(\(| = | ->)")
_EVENT = re.compile(r"^(?:[a-f]|ws) (\w+) \w+: ")
_HANDLER = re.compile(r"^(webSocket\w+)\(")
_STATES = re.compile(r"\ba=(\d) b=(\d)")


@dataclass
class Coverage:
    """What the programs reached on workerd: calls (and how many threw), events, readyState pairs."""

    calls: Counter[str] = field(default_factory=Counter)
    throws: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    states: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    frames: Counter[str] = field(default_factory=Counter)  # what raw clients sent, by kind
    seen: Counter[str] = field(default_factory=Counter)  # what they got back, and how it ended

    def add_wire(self, client: Sequence[str], rows: Sequence[str]) -> None:
        """A wire program: the kinds of frame its client sent, and what came back (workerd's rows)."""
        for step in client:
            if step.startswith(("frame ", "frames ")):
                for part in step.split(" ", 1)[1].split(" + "):
                    self.frames.update(frame_kinds(parse_frame_step(part)))
        for row in rows:
            if row.startswith("client: got "):
                words = row[len("client: got ") :].split()
                self.seen[" ".join(words[:2]) if words[0] == "close" else words[0]] += 1
            elif row.startswith("client: connection ") or row == "client: still open":
                self.seen[row[len("client: ") :]] += 1

    def add(self, rows: Sequence[str], ops_root: str) -> None:
        for row in rows:
            m = _CALL.match(row)
            if m:
                bare = row.lstrip("!").removeprefix("await ")
                kind = "ctx" if bare.startswith(("ctx", "env")) else "WebSocket"
                name = kind + m[1] + ("=" if m[2] == " = " else "()" if m[2] == "(" else "")
                self.calls[name] += 1
                if " -> throws " in row:
                    self.throws[name] += 1
                    self.errors[row.split(" -> throws ", 1)[1][:90]] += 1
            elif row.startswith(("off ", "add ")):
                verb = "removeEventListener" if row.startswith("off") else "addEventListener"
                self.calls[f"WebSocket.{verb}()"] += 1
            elif row.startswith(("timeout ", "microtask")):
                self.calls["setTimeout()" if row.startswith("timeout") else "queueMicrotask()"] += 1
            m = _EVENT.match(row)
            if m:
                self.events[m[1]] += 1
            m = _HANDLER.match(row)
            if m:
                self.events[m[1]] += 1
            for a, b in _STATES.findall(row):
                self.states[a, b] += 1

    def text(self) -> str:
        calls = ", ".join(
            f"{name} {n}" + (f" ({self.throws[name]} threw)" if self.throws[name] else "")
            for name, n in sorted(self.calls.items())
        )
        events = ", ".join(f"{k} {n}" for k, n in sorted(self.events.items()))
        states = ", ".join(f"({a},{b}) {n}" for (a, b), n in sorted(self.states.items()))
        text = (
            f"  API calls reached ({len(self.calls)}): {calls}\n"
            f"  events and handlers ({len(self.events)}): {events}\n"
            f"  readyState pairs (a, b) reached ({len(self.states)} of the 9 a pair can show; "
            f"0 never occurs): {states}\n"
            f"  distinct error texts thrown: {len(self.errors)}"
        )
        if self.frames:
            sent = ", ".join(f"{k} {n}" for k, n in sorted(self.frames.items()))
            seen = ", ".join(f"{k} {n}" for k, n in sorted(self.seen.items()))
            text += (
                f"\n  frames raw clients sent ({len(self.frames)} kinds): {sent}"
                f"\n  what they got back ({len(self.seen)} kinds): {seen}"
            )
        return text


def frame_kinds(data: bytes) -> list[str]:
    """What is odd about one encoded client frame, as coverage words (``text``, ``unmasked``,
    ``text not UTF-8``, ``close reserved code``, ``ping over 125 bytes``, ``rsv``, ...)."""
    opcode, fin, rsv = data[0] & 0x0F, bool(data[0] & 0x80), (data[0] >> 4) & 7
    masked, n, pos = bool(data[1] & 0x80), data[1] & 0x7F, 2
    if n == 126:
        n, pos = int.from_bytes(data[2:4], "big"), 4
    elif n == 127:
        n, pos = int.from_bytes(data[2:10], "big"), 10
    key = data[pos : pos + 4] if masked else b""
    payload = bytes(b ^ key[i % 4] for i, b in enumerate(data[pos + len(key) :])) if masked else data[pos:]
    names = {0: "cont", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong"}
    name = names.get(opcode, "unknown opcode")
    kinds = [name]
    if not masked:
        kinds.append("unmasked")
    if rsv:
        kinds.append("reserved bits")
    if not fin:
        kinds.append(f"{name} without FIN")
    if opcode >= 8 and len(payload) > 125:
        kinds.append(f"{name} over 125 bytes")
    if opcode == 1:
        try:
            payload.decode("utf-8")
        except UnicodeDecodeError:
            kinds.append("text not UTF-8")
    if opcode == 8:
        if len(payload) < 2:
            kinds.append(f"close of {len(payload)} bytes")
        else:
            code = int.from_bytes(payload[:2], "big")
            if not (1000 <= code < 5000) or code in (1004, 1005, 1006, 1015):
                kinds.append("close reserved code")
            try:
                payload[2:].decode("utf-8")
            except UnicodeDecodeError:
                kinds.append("close reason not UTF-8")
    return kinds


@dataclass
class Campaign:
    """The outcome of :func:`run_campaign`."""

    seed: int
    count: int
    workerd: str
    differing: int = 0
    failed: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)
    seconds: float = 0.0
    durable: int = 0
    wire: int = 0
    durable_wire: int = 0  # wire programs whose server is a hibernatable socket
    signatures: Counter[tuple[str, str]] = field(default_factory=Counter)  # every difference, by kind
    unstable: list[str] = field(default_factory=list)  # differed once, not when run again

    def text(self) -> str:
        head = (
            f"generated {self.count} programs from seed {self.seed} "
            f"({self.count - self.durable - self.wire} in-worker, {self.durable} Durable Object, "
            f"{self.wire} wire with a raw client"
            + (f", {self.durable_wire} of them against a hibernatable socket" if self.durable_wire else "")
            + f") against live {self.workerd}, in {self.seconds:.0f} s"
        )
        parts = [head]
        parts += [d.text() for d in self.differences]
        if self.failed:
            parts.append("did not run to the end: " + ", ".join(self.failed[:20]))
        if self.unstable:
            parts.append("differed once but not when run again (left out): " + ", ".join(self.unstable[:20]))
        shrunk = {d.signature for d in self.differences}
        rest = [
            f"  {n} × kit {k!r} | workerd {w!r}"
            for (k, w), n in self.signatures.items()
            if (k, w) not in shrunk
        ]
        if rest:
            parts.append("differences not shrunk (--shrink limit):\n" + "\n".join(rest))
        parts.append("coverage (on workerd's transcripts):\n" + self.coverage.text())
        parts.append(
            f"{self.differing} of {self.count} programs differ, in {len(self.signatures)} distinct ways; "
            f"{len(self.differences)} minimal program(s) after shrinking."
        )
        return "\n\n".join(parts)


class _Runner:
    """Runs one program on the kit (one event loop for the campaign) and on workerd."""

    def __init__(self, server: WorkerdServer) -> None:
        self.server = server

    def kit(self, sc: Scenario) -> list[str]:
        async def one() -> list[str]:
            # What a program's timers and microtasks raise is the program's business (a JS
            # program's uncaught error is logged and the isolate goes on): not printed here.
            asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)
            return (await asyncio.wait_for(_run_kit([(sc, sc.configs[0])]), _KIT_TIMEOUT))[0]

        try:
            # A loop of its own: whatever a program leaves scheduled ends with it.
            return asyncio.run(one())
        except Exception as exc:  # noqa: BLE001 - a program the kit cannot finish is a difference too
            return [f"kit failed: {type(exc).__name__}: {exc}"]

    def kit_many(self, programs: Sequence[Scenario]) -> list[list[str]]:
        return [self.kit(sc) for sc in programs]

    def wire(self, sc: Scenario) -> list[str] | str:
        """A wire program on workerd: one real connection (no batches)."""
        try:
            return self.server.run_wire(
                sc.ops, sc.client_ops, sc.client_options, sc.configs[0], durable=sc.durable
            )
        except Exception as exc:  # noqa: BLE001 - reported as the program's failure, like the driver's
            return f"{type(exc).__name__}: {exc}"

    def workerd_many(self, programs: Sequence[Scenario]) -> list[list[str] | str]:
        out: list[list[str] | str] = [[] for _ in programs]
        by_config: dict[Config, list[int]] = {}
        for i, sc in enumerate(programs):
            if sc.wire:
                out[i] = self.wire(sc)
                continue
            by_config.setdefault(sc.configs[0], []).append(i)
        for config, idx in by_config.items():
            for start in range(0, len(idx), _BATCH):
                part = idx[start : start + _BATCH]
                batch = [(programs[i].ops, programs[i].durable) for i in part]
                answers = self.server.run_batch(batch, config)
                for i, answer in zip(part, answers, strict=True):
                    out[i] = answer
        return out

    def both(self, sc: Scenario) -> tuple[list[str], list[str] | str]:
        return self.kit(sc), self.workerd_many([sc])[0]


def _variant(
    sc: Scenario, steps: list[Any], name: str | None = None, client: Sequence[str] | None = None
) -> Scenario:
    return Scenario(
        name or sc.name,
        sc.about,
        tuple(steps),
        configs=sc.configs,
        durable=sc.durable,
        tags=sc.tags,
        client=tuple(client) if client is not None else sc.client,
    )


def _compiles(sc: Scenario) -> bool:
    """The steps compile, and name no end before a ``pair`` step made it (a shrunk program may)."""
    try:
        ops = sc.ops
        sc.client_ops  # noqa: B018 - compiling is the check
    except (ScenarioSyntaxError, KeyError, TypeError, ValueError):
        return False
    made = {"a", "b"} | {e for op in ops if op["do"] == "pair" for e in op["ends"]}
    used = set(re.findall(r'"end": "([a-f])"', json.dumps(ops)))
    return used <= made


def run_campaign(
    server: WorkerdServer,
    count: int,
    seed: int,
    *,
    shrink_budget: int = 300,
    max_shrink: int = 40,
    configs: tuple[Config, ...] = CONFIGS,
    progress: Callable[[str], None] | None = None,
    durable_wire: float = 0.0,
    cross_sends: bool = False,
) -> Campaign:
    """Generate ``count`` programs from ``seed``, run them on the kit and on ``server``, compare, shrink.

    ``server`` must serve every configuration in ``configs``. At most ``max_shrink``
    distinct differences are shrunk (each costs up to ``shrink_budget`` runs). ``durable_wire``:
    the share of wire programs served by a hibernatable socket; ``cross_sends``: listeners
    that send from their peer too (see :func:`generate`).
    """
    started = time.monotonic()
    programs = generate(count, seed, configs=configs, durable_wire=durable_wire, cross_sends=cross_sends)
    campaign = Campaign(
        seed,
        count,
        server.version,
        durable=sum(p.durable and not p.wire for p in programs),
        wire=sum(p.wire for p in programs),
        durable_wire=sum(p.durable and p.wire for p in programs),
    )
    runner = _Runner(server)
    kit = runner.kit_many(programs)
    if progress:
        progress(f"kit: {count} programs in {time.monotonic() - started:.0f} s")
    wd = runner.workerd_many(programs)
    if progress:
        progress(f"workerd: {count} programs in {time.monotonic() - started:.0f} s (both)")
    found: dict[tuple[str, str], Difference] = {}
    for sc, k, w in zip(programs, kit, wd, strict=True):
        if isinstance(w, str):
            campaign.failed.append(f"{sc.name} (workerd: {w})")
            continue
        campaign.coverage.add(w, sc.name)
        if sc.wire:
            campaign.coverage.add_wire(sc.client or (), w)
        sig = signature(k, w)
        if sig is None:
            continue
        if sig not in campaign.signatures:
            # A new kind of difference: is it the program's, or the moment's? Run it again.
            k2, w2 = runner.both(sc)
            if isinstance(w2, str) or signature(k2, w2) != sig:
                campaign.unstable.append(sc.name)
                continue
        campaign.differing += 1
        campaign.signatures[sig] += 1
        if sig in found:
            found[sig].count += 1
            continue
        if len(found) >= max_shrink:
            continue
        found[sig] = _shrunk(runner, sc, sig, shrink_budget)
        if progress:
            progress(f"shrunk {sc.name} to {len(found[sig].minimal.steps)} steps: {sig}")
    campaign.differences = list(found.values())
    campaign.seconds = time.monotonic() - started
    return campaign


#: Tries for shrinking a wire program: each is a real connection on both sides.
_WIRE_BUDGET = 24


def _shrunk(runner: _Runner, sc: Scenario, sig: tuple[str, str], budget: int) -> Difference:
    client = list(sc.client or ())

    def interesting(steps: list[Any]) -> bool:
        cand = _variant(sc, steps, client=client if sc.wire else None)
        if not _compiles(cand):
            return False
        k, w = runner.both(cand)
        return not isinstance(w, str) and signature(k, w) == sig

    if sc.wire:
        budget = min(budget, _WIRE_BUDGET)

        def client_interesting(steps: list[str]) -> bool:
            cand = _variant(sc, list(sc.steps), client=steps)
            if not _compiles(cand):
                return False
            k, w = runner.both(cand)
            return not isinstance(w, str) and signature(k, w) == sig

        client = shrink_client(client, client_interesting, budget=budget)
    steps = shrink(list(sc.steps), interesting, budget=budget)
    minimal = _variant(sc, steps, _name(steps, sc, client), client=client if sc.wire else None)
    k, w = runner.both(minimal)
    return Difference(sig, sc.name, sc, minimal, k, w if isinstance(w, list) else [w])


def shrink_client(steps: list[str], interesting: Callable[[list[str]], bool], *, budget: int) -> list[str]:
    """A raw client's steps made smaller: whole steps left out, then single frames of a
    ``frames`` step (the last step, ``wait``, stays); ``interesting`` must hold for ``steps``."""
    best, tries = list(steps), 0

    def candidates(cur: list[str]) -> list[list[str]]:
        out = [cur[:i] + cur[i + 1 :] for i in range(len(cur) - 1) if cur[i] != "wait"]
        for i, step in enumerate(cur):
            if step.startswith("frames "):
                parts = step[len("frames ") :].split(" + ")
                for j in range(len(parts)):
                    rest = parts[:j] + parts[j + 1 :]
                    one = f"frame {rest[0]}" if len(rest) == 1 else "frames " + " + ".join(rest)
                    out.append(cur[:i] + [one] + cur[i + 1 :])
        return out

    improved = True
    while improved and tries < budget:
        improved = False
        for cand in candidates(best):
            tries += 1
            if interesting(cand):
                best, improved = cand, True
                break
            if tries >= budget:
                break
    return best


def _name(steps: list[Any], sc: Scenario, client: Sequence[str] = ()) -> str:
    text = repr([_source(s) for s in steps]) + config_key(sc.configs[0]) + str(sc.durable)
    if client:
        text += repr(list(client))
    return "gen-" + hashlib.sha1(text.encode()).hexdigest()[:8]


def _source(step: Any) -> str:
    """A step as Python source for the library: a string literal, or ``on(...)`` / ``timeout(...)`` ..."""
    if isinstance(step, str):
        return repr(step)
    body = ", ".join(_source(s) for s in step["body"])
    kind = step["block"]
    if kind == "on":
        head = repr(step["header"])
    elif kind == "timeout":
        head = str(step["ms"])
    elif kind == "handler":
        head = repr(step["name"])
    else:
        return f"microtask({body})"
    return f"{kind}({head}{', ' + body if body else ''})"


def classify(sig: tuple[str, str]) -> str:
    """What kind of difference a signature shows, in words (the ``open=`` reason of a saved program)."""
    kit, wd = sig
    both = kit + " " + wd
    if "bufferedAmount" in both:
        return "bufferedAmount: the peer takes a message at another moment in workerd than in the kit"
    if "await ctx.storage" in both:
        return "a storage call's await: workerd runs the microtasks queued before it first"
    if "Network connection lost" in both:
        return "when workerd reports 'Network connection lost.': the kit's rule misses this order of events"
    if "timeout" in both or "microtask" in both or "webSocket" in both:
        return "timers, microtasks and deliveries interleave differently in workerd's event loop"
    if " -> " in both and ("-> throws" in kit) != ("-> throws" in wd):
        return "a call's outcome depends on a delivery that has (or has not) happened yet in workerd"
    return "deliveries happen in another order, or at another readyState, in workerd"


def library_entry(diff: Difference, about: str | None = None) -> str:
    """The minimal program as a ``G(...)`` line of ``library_generated.py``, open with its kind."""
    sc = diff.minimal
    claim = about or f"Found by the generator ({diff.found_in}): the kit gives workerd's transcript."
    steps = ", ".join(_source(s) for s in sc.steps)
    client = f"  client=({', '.join(repr(s) for s in sc.client)},),\n" if sc.client is not None else ""
    return (
        f"G({sc.name!r}, {claim!r},\n  {steps},\n{client}"
        f"  configs=({_config_source(sc.configs[0])},){', durable=True' if sc.durable else ''},\n"
        f"  open={classify(diff.signature)!r})\n"
    )


def _config_source(config: Config) -> str:
    date, flags = config
    return f"({date!r}, {flags!r})"


def save(differences: Sequence[Difference], path: Path = GENERATED_FILE) -> list[str]:
    """Append the minimal programs not already there to ``library_generated.py``; return their names."""
    text = path.read_text(encoding="utf-8")
    added = []
    for d in differences:
        if repr(d.minimal.name) in text:
            continue
        text += "\n" + library_entry(d)
        added.append(d.minimal.name)
    path.write_text(text, encoding="utf-8")
    return added
