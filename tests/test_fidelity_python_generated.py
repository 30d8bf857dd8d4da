"""Generated Python Workers programs: the kit's dialect against Pyodide in real workerd.

The Python library holds the behaviours someone picked; :mod:`~cfws_playground.fidelity.pyodide.generate`
writes programs nobody picked. Offline, the generator must be reproducible and write programs
that compile and end. Live (workerd and Pyodide installed, as in CI), a fixed-seed campaign
must match Pyodide in workerd program for program, and a broken dialect must be caught and
shrunk.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cfws_playground.cli import main
from cfws_playground.fidelity.pyodide.campaign import run_python_campaign
from cfws_playground.fidelity.pyodide.generate import python_program, python_programs

#: The fixed seed and size of the campaign CI runs live (about three minutes).
CI_SEED, CI_PROGRAMS = 20261205, 1000


def test_the_same_seed_writes_the_same_programs() -> None:
    first, again = python_programs(50, 7), python_programs(50, 7)
    assert [p.code() for p in first] == [p.code() for p in again]
    assert [p.code() for p in python_programs(50, 8)] != [p.code() for p in first]
    assert python_program(7, 3) == first[3]


def test_generated_programs_compile_and_reach_every_kind_of_step() -> None:
    programs = python_programs(400, 11)
    for p in programs:
        compile(p.code(), p.name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        assert len(p.steps) == len(p.kinds)
    kinds = {k.split()[0] for p in programs for k in p.kinds}
    assert kinds == {
        "accept", "binaryType", "call_soon", "close", "listener", "queueMicrotask",
        "send", "setTimeout", "sleep(0)", "state", "task", "watch",
    }  # fmt: skip
    listeners = " ".join(k for p in programs for k in p.kinds if k.startswith("listener"))
    for form in ("on-attribute", "self-removing", "addEventListener", "async", "raises", "sends", "closes"):
        assert form in listeners


def test_a_shorter_program_keeps_its_other_steps() -> None:
    p = python_program(7, 0)
    shorter = p.without(1)
    assert shorter.steps == p.steps[:1] + p.steps[2:]
    assert shorter.kinds == p.kinds[:1] + p.kinds[2:]


def test_cli_refuses_what_a_python_campaign_cannot_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--python", "--generate", "0"]) == 2
    assert "--generate needs a positive number of programs" in capsys.readouterr().err
    assert main(["verify", "--python", "--generate", "3", "--save"]) == 2
    assert "not available with --python" in capsys.readouterr().err


# ---------------------------------------------------------------------- live: Pyodide in workerd


@pytest.mark.workerd
@pytest.mark.timeout(900)
def test_fixed_seed_python_campaign_matches_pyodide_in_workerd(pyodide_setup: tuple[Path, Path]) -> None:
    campaign = run_python_campaign(CI_PROGRAMS, CI_SEED, *pyodide_setup)
    text = campaign.text()
    assert campaign.runs == 2 * CI_PROGRAMS
    assert campaign.rows > 10 * CI_PROGRAMS  # the programs print: there is something to compare
    assert not campaign.differences, text
    assert f"0 of {CI_PROGRAMS} programs differ." in text


@pytest.mark.workerd
@pytest.mark.timeout(600)
def test_a_broken_dialect_is_found_and_shrunk(
    pyodide_setup: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cfws_playground.socket import api

    real_send = api.WebSocket.send

    def send_twice(self: api.WebSocket, message: object = api.MISSING) -> None:
        real_send(self, message)
        real_send(self, message)  # a dialect that sends every message twice

    monkeypatch.setattr(api.WebSocket, "send", send_twice)
    campaign = run_python_campaign(12, CI_SEED, *pyodide_setup, shrink=1)
    assert campaign.differences, campaign.text()
    first = campaign.differences[0]
    assert len(first.minimal.steps) < len(first.program.steps)
    assert first.kit != first.workerd
    assert "programs differ." in campaign.text() and "── pygen-" in campaign.text()
