"""The kit's Python Workers dialect against stock Pyodide in real workerd: the Python scenarios.

Every Python scenario runs on the kit (the dialect's ``js`` / ``pyodide.ffi`` /
``workers``) under each of its configurations and is compared with the
transcript recorded in Pyodide (npm ``pyodide`` at :data:`PYODIDE_VERSION`)
inside workerd (:data:`WORKERD_VERSION`). A scenario must match unless it is
marked ``deliberate`` or listed in :data:`OPEN_PYTHON`: differences measured
and not fixed yet. Both lists are strict: one that stops differing fails, so
they stay true.

With workerd and Pyodide installed (``cfws-playground verify --python
--install``; installed automatically when ``CI`` is set) the library also runs
live, in one workerd process, and must reproduce the references exactly.
"""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path

import pytest

from cfws_playground.cli import main
from cfws_playground.fidelity import WORKERD_VERSION
from cfws_playground.fidelity.pyodide import (
    PY_SCENARIOS,
    PYODIDE_VERSION,
    load_python_references,
    py_by_name,
    verify_python,
)
from cfws_playground.fidelity.pyodide.compare import run_in_pyodide
from cfws_playground.fidelity.pyodide.kit import run_python_on_kit
from cfws_playground.fidelity.scenario import config_key

REFERENCES = load_python_references()["transcripts"]

# A storage call left un-awaited (py-object-storage-unawaited): Cloudflare's SDK wraps the
# JS promise in a coroutine of its own, and Python warns that it was never awaited, on
# Pyodide as here. The write happens all the same; the scenario checks that.
pytestmark = pytest.mark.filterwarnings(
    "ignore:coroutine '_BindingWrapper._conver_and_invoke.<locals>.await_and_convert' was never awaited"
)


#: Differences the Python scenarios found that the kit's dialect has not fixed yet, with what differs
#: (``{"py-name": "what differs"}``).
OPEN_PYTHON: dict[str, str] = {}


@cache
def _kit(name: str) -> dict[str, list[str]]:
    sc = py_by_name(name)

    async def run() -> list[list[str]]:
        return [await run_python_on_kit(sc.code, date, flags) for date, flags in sc.configs]

    return {config_key(c): rows for c, rows in zip(sc.configs, asyncio.run(run()), strict=True)}


def test_the_python_library_has_at_least_120_scenarios_with_unique_names() -> None:
    names = [s.name for s in PY_SCENARIOS]
    assert len(names) >= 120
    assert len(set(names)) == len(names)
    assert all(name.startswith("py-") for name in names)
    for sc in PY_SCENARIOS:
        assert sc.about and sc.code
        compile(sc.code, sc.name, "exec", flags=0x2000)  # top-level await allowed


def test_every_python_scenario_has_a_reference_for_each_configuration() -> None:
    missing = [
        (sc.name, config_key(c))
        for sc in PY_SCENARIOS
        for c in sc.configs
        if config_key(c) not in REFERENCES.get(sc.name, {})
    ]
    assert not missing, f"re-record with `cfws-playground verify --python --record`: {missing[:5]}"
    refs = load_python_references()
    assert (refs["pyodide"], refs["npm"]) == (PYODIDE_VERSION, WORKERD_VERSION)


def test_the_open_list_names_real_python_scenarios() -> None:
    for name in OPEN_PYTHON:
        py_by_name(name)


@pytest.mark.parametrize("name", [s.name for s in PY_SCENARIOS])
def test_python_scenario_matches_pyodide_in_workerd(name: str) -> None:
    sc = py_by_name(name)
    kit = _kit(name)
    refs = REFERENCES[name]
    differing = [key for key, rows in kit.items() if rows != refs[key]]
    if sc.deliberate:
        assert differing, f"{name} is marked deliberate but matches Pyodide in workerd now: drop the mark"
    elif name in OPEN_PYTHON:
        assert differing, f"{name} matches Pyodide in workerd now: remove it from OPEN_PYTHON"
    else:
        detail = "\n".join(f"{key}:\n  kit:     {kit[key]}\n  workerd: {refs[key]}" for key in differing[:2])
        assert not differing, f"{name} differs from Pyodide in workerd at {differing}\n{detail}"


def test_verify_python_against_the_references_says_how_many() -> None:
    result = verify_python(["py-send-text", "py-listener-create-proxy"], live=False)
    assert result.ok
    assert result.summary().startswith(
        "2 scenarios, 4 runs against recorded references (Pyodide 0.28.2 in workerd"
    )
    assert "0 differ" in result.summary()


def test_a_broken_dialect_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from cfws_playground.pyworkers import ffi

    monkeypatch.setattr(ffi, "create_proxy", lambda obj, **kw: lambda *a: None)
    result = verify_python(["py-listener-create-proxy"], live=False)
    assert not result.ok and result.differing
    assert "! " in result.text()


def test_cli_verify_python_lists_and_compares(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--python", "--list"]) == 0
    assert f"{len(PY_SCENARIOS)} Python scenarios" in capsys.readouterr().out
    assert main(["verify", "--python", "--recorded", "py-send-text"]) == 0
    assert "1 scenario, 2 runs against recorded references (Pyodide" in capsys.readouterr().out
    assert main(["verify", "--python", "--recorded", "py-no-such-thing"]) == 2


# ---------------------------------------------------------------------- live: Pyodide in workerd


@pytest.mark.workerd
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_live_pyodide_in_workerd_reproduces_the_references(pyodide_setup: tuple[Path, Path]) -> None:
    runs = [(sc, c) for sc in PY_SCENARIOS for c in sc.configs]
    rows, version = run_in_pyodide(runs, *pyodide_setup)
    assert version == "workerd 2026-11-23"
    changed = [
        (sc.name, config_key(c))
        for (sc, c), r in zip(runs, rows, strict=True)
        if r != REFERENCES[sc.name][config_key(c)]
    ]
    assert not changed, (
        f"Pyodide in workerd differs from the references (re-record and review): {changed[:10]}"
    )


@pytest.mark.workerd
def test_the_pyodide_server_is_stopped_by_pid_when_a_run_fails(pyodide_setup: tuple[Path, Path]) -> None:
    from cfws_playground.fidelity.pyodide import PyodideServer

    config = ("2026-11-17", ())
    with (
        pytest.raises(RuntimeError, match="boom"),
        PyodideServer.start_python(*pyodide_setup, [config]) as server,
    ):
        proc = server.proc
        assert proc is not None and proc.poll() is None
        raise RuntimeError("boom")
    assert proc.poll() is not None, "workerd outlived the failed run"
