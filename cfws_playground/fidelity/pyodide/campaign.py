"""A campaign of generated Python programs: the kit's dialect against Pyodide in workerd.

``cfws-playground verify --python --generate N --seed S`` runs the first ``N``
programs of :func:`~.generate.python_programs` at each Python configuration on
the kit and in Pyodide inside live workerd, runs each differing one again on
both (a difference that does not come back is a timer race, reported and left
out), shrinks the rest by dropping steps while the difference stays, and
reports the minimal programs and what the campaign reached.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..scenario import Config, config_key
from .generate import PyProgram, python_programs
from .kit import run_python_on_kit
from .loader import PYODIDE_VERSION, PyodideServer
from .scenario import PY_CONFIGS

__all__ = ["PyCampaign", "run_python_campaign"]


@dataclass
class PyDifference:
    """A program that differs at ``config``, shrunk to ``minimal``, with both transcripts of it."""

    program: PyProgram
    config: Config
    minimal: PyProgram
    kit: list[str]
    workerd: list[str]


@dataclass
class PyCampaign:
    """What a campaign ran and found."""

    seed: int
    programs: int
    runs: int
    source: str
    differences: list[PyDifference] = field(default_factory=list)
    flaky: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    rows: int = 0

    def text(self) -> str:
        lines = [
            f"generated {self.programs} Python programs from seed {self.seed}, {self.runs} runs "
            f"at {', '.join(config_key(c) for c in PY_CONFIGS)}, against {self.source}"
        ]
        for diff in self.differences:
            lines.append("")
            lines.append(
                f"── {diff.program.name} [{config_key(diff.config)}] differs "
                f"({len(diff.program.steps)} steps, shrunk to {len(diff.minimal.steps)})"
            )
            for step in diff.minimal.steps:
                lines.extend("   " + line for line in step.rstrip("\n").split("\n"))
            lines.append(f"   {'kit':<60} workerd")
            width = max(len(diff.kit), len(diff.workerd))
            for i in range(width):
                k = diff.kit[i] if i < len(diff.kit) else ""
                w = diff.workerd[i] if i < len(diff.workerd) else ""
                lines.append(f" {'=' if k == w else '!'} {k[:60]:<60} {w[:60]}")
        if self.flaky:
            lines.append("")
            lines.append(f"differed once but not when run again (left out): {', '.join(self.flaky)}")
        lines.append("")
        lines.append(
            f"steps reached ({len(self.kinds)} kinds): "
            + ", ".join(f"{k} {n}" for k, n in sorted(self.kinds.items()))
        )
        lines.append(f"transcript rows compared: {self.rows}")
        lines.append("")
        lines.append(f"{len(self.differences)} of {self.programs} programs differ.")
        return "\n".join(lines)


def _kit_rows(runs: list[tuple[PyProgram, Config]]) -> list[list[str]]:
    async def all_runs() -> list[list[str]]:
        return [await run_python_on_kit(p.code(), date, flags) for p, (date, flags) in runs]

    return asyncio.run(all_runs())


def _shrink(program: PyProgram, differs: Callable[[PyProgram], bool], budget: int) -> PyProgram:
    """Drop steps, one at a time from the end, while the program still differs (at most
    ``budget`` tries)."""
    i = len(program.steps) - 1
    while i >= 0 and budget > 0:
        candidate = program.without(i)
        budget -= 1
        if differs(candidate):
            program = candidate
        i -= 1
    return program


def run_python_campaign(
    n: int,
    seed: int,
    binary: Path,
    pyodide: Path,
    *,
    shrink: int = 20,
    progress: Callable[[str], None] | None = None,
) -> PyCampaign:
    """Run the campaign ``seed`` of ``n`` programs on the kit and in Pyodide on workerd."""
    if n < 1:
        raise ValueError("--generate needs a positive number of programs")
    say = progress or (lambda _text: None)
    programs = python_programs(n, seed)
    runs = [(p, c) for p in programs for c in PY_CONFIGS]
    kit = _kit_rows(runs)
    say(f"kit: {len(runs)} runs")
    with PyodideServer.start_python(binary, pyodide, PY_CONFIGS) as server:
        source = f"live Pyodide {PYODIDE_VERSION} in {server.version}"
        campaign = PyCampaign(seed, n, len(runs), source)
        for p in programs:
            campaign.kinds.update(p.kinds)
        wd = [server.run_python(p.code(), c) for p, c in runs]
        say(f"workerd: {len(runs)} runs")
        campaign.rows = sum(len(r) for r in wd)
        seen: set[str] = set()
        for (program, config), k, w in zip(runs, kit, wd, strict=True):
            if k == w or program.name in seen:
                continue
            seen.add(program.name)

            def both(p: PyProgram, config: Config = config) -> tuple[list[str], list[str]]:
                return _kit_rows([(p, config)])[0], server.run_python(p.code(), config)

            k2, w2 = both(program)
            if k2 == w2:
                campaign.flaky.append(program.name)
                continue
            if len(campaign.differences) < shrink:

                def differs(p: PyProgram) -> bool:
                    a, b = both(p)
                    return a != b

                minimal = _shrink(program, differs, budget=40)
                k3, w3 = both(minimal)
            else:
                minimal, k3, w3 = program, k2, w2
            campaign.differences.append(PyDifference(program, config, minimal, k3, w3))
        return campaign
