"""The kit against real workerd: the scenario library, its recorded references, and `verify`.

Every scenario runs on the kit under each of its configurations and is
compared with the transcript recorded from workerd (npm ``workerd`` at
:data:`WORKERD_VERSION`). A scenario must match unless the library marks it
``deliberate`` (the README lists why) or it is listed in :data:`OPEN` below —
differences found by the library and not fixed yet. Both lists are strict: a
deliberate scenario that stops differing, or an open one that starts matching,
fails, so the lists stay true.

With a workerd binary (``CFWS_WORKERD``, or the pinned package installed by
``cfws-playground verify --install``; installed automatically when ``CI`` is
set) the library also runs live, and must reproduce the references exactly.
"""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from cfws_playground import errors
from cfws_playground.cli import main
from cfws_playground.fidelity import (
    SCENARIOS,
    WORKERD_VERSION,
    Scenario,
    ScenarioSyntaxError,
    by_name,
    find_workerd,
    install_workerd,
    verify,
)
from cfws_playground.fidelity.compare import _run_kit, _run_workerd, load_references
from cfws_playground.fidelity.dsl import compile_steps
from cfws_playground.fidelity.library_generated import GENERATED_OPEN
from cfws_playground.fidelity.library_sql import SQL_OPEN
from cfws_playground.fidelity.scenario import config_key
from cfws_playground.fidelity.workerd import WorkerdServer

REFERENCES = load_references()["transcripts"]

#: Differences the library found that the kit has not fixed yet, with what differs.
OPEN: dict[str, str] = {
    **SQL_OPEN,  # SQLite-backed storage (fidelity/library_sql.py)
    **GENERATED_OPEN,  # minimal programs the generator found, each with the kind of difference
}


def _kit(sc: Scenario) -> dict[str, list[str]]:
    rows = asyncio.run(_run_kit([(sc, c) for c in sc.configs]))
    return {config_key(c): r for c, r in zip(sc.configs, rows, strict=True)}


def test_the_library_has_at_least_150_scenarios_with_unique_names() -> None:
    names = [s.name for s in SCENARIOS]
    assert len(names) >= 150
    assert len(set(names)) == len(names)
    for sc in SCENARIOS:
        assert sc.about and sc.ops
        json.dumps(sc.ops)  # what is sent to workerd's driver


def test_every_scenario_has_a_recorded_reference_for_each_configuration() -> None:
    missing = [
        (sc.name, config_key(c))
        for sc in SCENARIOS
        for c in sc.configs
        if config_key(c) not in REFERENCES.get(sc.name, {})
    ]
    assert not missing, f"re-record with `cfws-playground verify --record`: {missing[:5]}"
    assert load_references()["npm"] == WORKERD_VERSION


def test_the_open_list_names_real_scenarios() -> None:
    for name in OPEN:
        by_name(name)


@pytest.mark.parametrize(
    "name",
    # A wire scenario waits on real sockets and a client's timeouts: seconds each, so `slow`.
    [pytest.param(s.name, marks=pytest.mark.slow) if s.wire else s.name for s in SCENARIOS],
)
def test_scenario_matches_workerd(name: str) -> None:
    sc = by_name(name)
    kit = _kit(sc)
    refs = REFERENCES[name]
    differing = [key for key, rows in kit.items() if rows != refs[key]]
    if sc.deliberate:
        assert differing, f"{name} is marked deliberate but matches workerd now: drop the mark"
    elif name in OPEN:
        assert differing, f"{name} matches workerd now: remove it from OPEN"
    else:
        detail = "\n".join(f"{key}:\n  kit:     {kit[key]}\n  workerd: {refs[key]}" for key in differing[:2])
        assert not differing, f"{name} differs from workerd at {differing}\n{detail}"


def test_a_broken_kit_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors, "SEND_AFTER_CLOSE", "send() after close() is not allowed.")
    from cfws_playground import state

    cell = state.TRANSITIONS[state.Phase.CLOSED, state.Action.SEND]
    monkeypatch.setitem(
        state.TRANSITIONS,
        (state.Phase.CLOSED, state.Action.SEND),
        state.Transition(cell.next, cell.effect, TypeError, "x"),
    )
    monkeypatch.setitem(
        state.TRANSITIONS,
        (state.Phase.CLOSE_SENT, state.Action.SEND),
        state.Transition(
            state.Phase.CLOSE_SENT, state.Effect.RAISE, TypeError, "send() after close() is not allowed."
        ),
    )
    result = verify(["send-after-own-close-throws"], live=False)
    assert not result.ok
    assert result.differing
    assert "! " in result.text()


# ---------------------------------------------------------------------- the step language


@pytest.mark.parametrize(
    "step",
    [
        "a.send(",
        "c.send('x')",
        "import os",
        "a.send(open('x'))",
        "on b: b.send(1)",
        "settle; settle",
        "x = 1",
    ],
)
def test_a_step_outside_the_language_is_a_clear_error(step: str) -> None:
    with pytest.raises(ScenarioSyntaxError, match="not|one statement|only|reads|calls"):
        compile_steps([step])


@pytest.mark.parametrize("ms", ["b.close(1000)", -1, 0.5, True, None])
def test_a_timeout_without_a_delay_first_is_a_clear_error(ms: object) -> None:
    from cfws_playground.fidelity import timeout

    with pytest.raises(ScenarioSyntaxError, match="the first argument is the delay"):
        compile_steps(["a.accept()", timeout(ms, "b.close(1000)")])  # type: ignore[arg-type]
    assert compile_steps([timeout(0, "b.close(1000)")])[0]["ms"] == 0


def test_waiting_inside_a_listener_is_refused() -> None:
    with pytest.raises(ScenarioSyntaxError, match="cannot be inside"):
        compile_steps(["on b message: settle"])


def test_steps_compile_to_the_same_operations_as_their_block_form() -> None:
    from cfws_playground.fidelity import on

    one_line = compile_steps(["on b message as L: b.send('echo:' + data); b.close(1000, 'x')"])
    blocks = compile_steps([on("b message as L", "b.send('echo:' + data)", "b.close(1000, 'x')")])
    assert one_line == blocks


# ---------------------------------------------------------------------- verify, from Python and the CLI


def test_verify_against_the_references_says_how_many_scenarios() -> None:
    result = verify(["close-handshake", "send-text"], live=False)
    assert result.ok
    assert result.summary().startswith("2 scenarios, 12 runs against recorded references (workerd 2026-11-23")
    assert "0 differ" in result.summary()
    assert "<table>" in result._repr_html_()


def test_verify_marks_deliberate_differences_with_their_reason() -> None:
    result = verify(["send-object-as-text"], live=False)
    assert result.ok
    assert "deliberate: kit-decisions 1" in result.text()


def test_a_learners_scenario_without_a_reference_is_missing_not_equal() -> None:
    mine = Scenario("mine", "an echo", ("watch", "a.accept()", "b.accept()", "a.send('hi')"))
    result = verify([mine], live=False)
    assert not result.ok
    assert "no reference" in result.summary()


def test_cli_verify_exit_status(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["verify", "close-handshake", "--recorded"]) == 0
    out = capsys.readouterr().out
    assert "1 scenario, 6 runs" in out
    assert main(["verify", "no-such-scenario"]) == 2
    assert "no scenario 'no-such-scenario'" in capsys.readouterr().err
    assert main(["verify", "--flag", "web_socket_manual_reply_to_close"]) == 2

    from cfws_playground.fidelity import compare

    real = compare.load_references

    def tampered(version: str = WORKERD_VERSION) -> dict[str, object]:
        data = real(version)
        rows = data["transcripts"]["send-text"]["2026-11-17"]
        data["transcripts"]["send-text"]["2026-11-17"] = [*rows[:-1], 'b message W: "y" | a=1 b=1']
        return data

    monkeypatch.setattr(compare, "load_references", tampered)
    assert main(["verify", "send-text", "--recorded"]) == 1
    out = capsys.readouterr().out
    assert '! b message W: "x" | a=1 b=1' in out and "1 differ" in out


def test_cli_verify_lists_the_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--list"]) == 0
    out = capsys.readouterr().out
    assert "close-handshake" in out and f"{len(SCENARIOS)} scenarios" in out


# ---------------------------------------------------------------------- live workerd


@pytest.fixture(scope="module")
def workerd_binary():  # type: ignore[no-untyped-def]
    binary = find_workerd()
    if binary is None and os.environ.get("CI"):
        binary = install_workerd()
    if binary is None:
        pytest.skip("no workerd binary: `cfws-playground verify --install` (needs npm), or set CFWS_WORKERD")
    return binary


@pytest.mark.workerd
@pytest.mark.timeout(600)
def test_live_workerd_reproduces_the_references(workerd_binary) -> None:  # type: ignore[no-untyped-def]
    runs = [(sc, c) for sc in SCENARIOS for c in sc.configs]
    with WorkerdServer.start(workerd_binary, sorted({c for _, c in runs})) as server:
        assert server.version == "workerd 2026-11-23"
        changed = [
            (sc.name, config_key(c))
            for sc, c in runs
            if _run_workerd(server, sc, c) != REFERENCES[sc.name][config_key(c)]
        ]
    assert not changed, f"workerd differs from the recorded references (re-record and review): {changed[:10]}"


@pytest.mark.workerd
def test_cli_verify_runs_live(workerd_binary, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    os.environ.setdefault("CFWS_WORKERD", str(workerd_binary))
    assert main(["verify", "close-handshake", "send-text", "--live"]) == 0
    assert "2 scenarios, 12 runs against live workerd 2026-11-23" in capsys.readouterr().out


@pytest.mark.workerd
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the child process in /proc (Linux)")
def test_sigterm_to_verify_stops_its_workerd(workerd_binary) -> None:  # type: ignore[no-untyped-def]
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "CFWS_WORKERD": str(workerd_binary)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cfws_playground", "verify", "--live", *IN_WORKER_NAMES],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    child = None
    try:
        deadline = time.monotonic() + 60
        while child is None and time.monotonic() < deadline:
            child = next((pid for pid in _children(proc.pid) if " serve " in _cmdline(pid)), None)
            time.sleep(0.05)
        assert child is not None, "verify --live never started workerd"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 128 + signal.SIGTERM
        assert " serve " not in _cmdline(child), "workerd outlived verify"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if child is not None and " serve " in _cmdline(child):
            os.kill(child, signal.SIGKILL)  # what this test is about went wrong: clean up anyway


IN_WORKER_NAMES = [sc.name for sc in SCENARIOS if not sc.wire]  # quick on the kit, long enough on workerd


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid:
                found.append(int(entry))
    return found


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


# ---------------------------------------------------------------------- the workshop's claims


def _cited_scenarios() -> dict[str, set[str]]:
    import pathlib
    import re

    notebooks = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
    cited: dict[str, set[str]] = {}
    for path in sorted(notebooks.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for name in re.findall(r"scenarios?: ([a-z0-9-]+(?:, [a-z0-9-]+)*)", "".join(cell["source"])):
                for one in name.split(", "):
                    cited.setdefault(one, set()).add(path.name)
    listed = notebooks / "scenarios.txt"
    if listed.exists():
        for line in listed.read_text(encoding="utf-8").splitlines():
            if line.strip():
                cited.setdefault(line.split("\t")[0], set()).add(listed.name)
    return cited


def test_every_scenario_a_notebook_cites_is_in_the_library() -> None:
    cited = _cited_scenarios()
    assert cited, "the notebooks cite no scenario"
    from cfws_playground.fidelity.pyodide.library import PY_SCENARIOS  # noqa: PLC0415

    names = {s.name for s in SCENARIOS} | {s.name for s in PY_SCENARIOS}  # JS, and Python (py-...)
    unknown = {name: sorted(where) for name, where in cited.items() if name not in names}
    assert not unknown, f"notebooks cite scenarios the libraries do not have: {unknown}"


# ---------------------------------------------------------------------- generated programs, live

#: The fixed campaign CI runs: this seed, this many programs (measured: about 3 minutes
#: on a busy 2-core machine, kit and workerd included; `verify --generate` prints the time),
#: half of its wire programs served by a Durable Object's hibernatable socket.
CAMPAIGN_SEED, CAMPAIGN_SIZE, CAMPAIGN_DURABLE_WIRE = 20261205, 4000, 0.5
#: The campaigns CI runs live: (seed, programs, --durable-wire share, --cross-sends).
CAMPAIGNS = [
    (CAMPAIGN_SEED, CAMPAIGN_SIZE, CAMPAIGN_DURABLE_WIRE, False),
    (20270113, 4000, 0.0, True),  # listeners that send from their peer
]


def _known_signatures() -> set[tuple[str, str]]:
    """The differences the library already names: its open and deliberate scenarios', by signature."""
    from cfws_playground.fidelity.campaign import signature

    known = set()
    for sc in SCENARIOS:
        if sc.name in OPEN or sc.deliberate:
            for key, rows in _kit(sc).items():
                sig = signature(rows, REFERENCES[sc.name][key])
                if sig is not None:
                    known.add(sig)
    return known


def _same_call_other_result(sig: tuple[str, str]) -> bool:
    """Both rows are the same call and neither outcome depends on whether it threw: a text or a
    value differs (an argument check, a size). Such a difference must be named exactly."""
    kit, wd = sig
    if " -> " not in kit or " -> " not in wd or kit.split(" -> ")[0] != wd.split(" -> ")[0]:
        return False
    return ("-> throws" in kit) == ("-> throws" in wd)


@pytest.mark.workerd
@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize(
    ("seed", "size", "durable_wire", "cross_sends"),
    CAMPAIGNS,
    ids=[f"seed-{c[0]}" + ("-cross-sends" if c[3] else "") for c in CAMPAIGNS],
)
def test_a_fixed_seed_campaign_finds_no_difference_the_library_does_not_name(  # type: ignore[no-untyped-def]
    workerd_binary, seed: int, size: int, durable_wire: float, cross_sends: bool
) -> None:
    """Every kind of difference the campaign meets is one an open or deliberate scenario shows.

    A call whose text or value differs must be shown exactly (its signature); an order of
    events may also come out in a variant of a kind the library already shows open, since
    how timers and deliveries interleave varies with the programs around them.
    """
    from cfws_playground.fidelity.campaign import classify, run_campaign
    from cfws_playground.fidelity.scenario import CONFIGS

    with WorkerdServer.start(workerd_binary, CONFIGS) as server:
        campaign = run_campaign(
            server, size, seed, max_shrink=0, durable_wire=durable_wire, cross_sends=cross_sends
        )
    assert campaign.count == size and not campaign.failed
    assert bool(campaign.durable_wire) == bool(durable_wire)  # wire programs met a hibernatable socket
    assert campaign.coverage.events["message"] and campaign.coverage.events["webSocketClose"]
    known, kinds = _known_signatures(), set(GENERATED_OPEN.values())
    unknown = [
        sig
        for sig in campaign.signatures
        if sig not in known and (_same_call_other_result(sig) or classify(sig) not in kinds)
    ]
    assert not unknown, (
        f"the generator found differences no library scenario shows; run `cfws-playground verify "
        f"--generate {size} --seed {seed} --durable-wire {durable_wire}"
        f"{' --cross-sends' if cross_sends else ''} "
        f"--save`, then fix the kit or keep them open: "
        + "; ".join(f"kit {k!r} | workerd {w!r}" for k, w in sorted(unknown)[:5])
    )
