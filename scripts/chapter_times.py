#!/usr/bin/env python3
"""How long each workshop chapter takes a learner: the reading model behind the stated times.

Usage (from the repository root)::

    .venv/bin/python scripts/chapter_times.py          # the table, from the committed notebooks
    .venv/bin/python scripts/chapter_times.py --run    # the same, with each chapter's run time measured now

A chapter's time is what a learner reads, thinks about and types, plus what its
cells take to run:

* prose: every word of its markdown (the check-yourself answers included), at
  ``PROSE_WPM`` words a minute, a usual rate for technical text;
* code: every line of its code cells and of the code blocks in its markdown
  (blank lines, ``# scenario:`` and other directive lines, and the solution cells
  left out), at ``CODE_LPM`` lines a minute;
* output: every line its cells print (the committed outputs, which the learner
  reads after each run and compares with a prediction), at ``OUTPUT_LPM`` lines a minute;
* ``PREDICT_MIN`` for each prediction (a question asked before one or more cells run);
* ``EXERCISE_MIN`` for each exercise (read the prompt and the scaffold, plan), and
  ``ATTEMPT_MIN`` for each run of its self-check (write or fix, run, read the verdict or
  hint), with the number of runs measured in a learner pass (``PASS``);
* ``TRY_MIN`` for each live console the chapter asks you to play with;
* the cells' own run time, measured in that pass (or now, with ``--run``).

The learner pass worked through every chapter in a fresh copy of the notebooks, in a
real kernel, in order: each exercise answered from its prompt alone, and its self-check
run until it printed ✓. ``PASS`` records, per chapter, the self-check runs each exercise
needed and the cells' run time. The stated times (README, chapter 00's table, each
chapter's *Time: about N minutes.*) are the model's minutes rounded to 5;
``tests/test_chapter_times.py`` keeps them within 5 minutes of it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import pathlib
import re
import sys
from dataclasses import dataclass
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

PROSE_WPM = 180  # words a minute, technical prose
CODE_LPM = 12  # lines a minute: five seconds a line of code
OUTPUT_LPM = 20  # lines a minute: three seconds a printed line, set against a prediction
PREDICT_MIN = 1.5  # think, write the guess down, compare
EXERCISE_MIN = 5.0  # read the prompt and the scaffold, plan
ATTEMPT_MIN = 5.0  # each self-check run: write or fix, run, read the verdict
TRY_MIN = 3.0  # a live console the chapter asks you to play with


@dataclass(frozen=True)
class Pass:
    """One chapter in the learner pass: self-check runs per exercise, cells' run time (s)."""

    attempts: tuple[int, ...]
    run_s: float


#: The learner pass, chapter by chapter (kernel: this repository's .venv, Python 3.11).
PASS: dict[str, Pass] = {
    "00": Pass((), 0.2),
    "01": Pass((1,), 0.2),
    "02": Pass((1,), 0.6),
    "03": Pass((1, 1), 0.2),
    "04": Pass((1, 1), 1.1),
    "05": Pass((1,), 0.5),
    "06": Pass((1, 1), 1.2),
    "06b": Pass((), 5.6),  # 5 s of it: wait_for_reply() gives up when no page shows the widget
    "07": Pass((1,), 0.5),
    "08": Pass((1, 1, 1), 3.2),
    "09": Pass((1, 1), 2.2),
    "10": Pass((1,), 1.3),
}

#: Code lines that tell tools something and that a learner skips.
DIRECTIVE = re.compile(r"#\s*(scenario:|LITE_SKIP|NBVAL_|because\b)")
FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.DOTALL)
WORD = re.compile(r"[A-Za-z0-9][\w'’.\-/]*")
TRY_IT = re.compile(r"\b(PairConsole|BrowserClient)\(")
EXERCISE = re.compile(r"^### Exercise\b", re.MULTILINE)
STATED = re.compile(r"\*Time: about (\d+) minutes\.\*")


@dataclass(frozen=True)
class Chapter:
    """What a learner meets in one chapter."""

    key: str  # "01", "06b"
    words: int
    code_lines: int
    output_lines: int
    predictions: int
    exercises: int
    try_its: int
    stated: int | None  # the chapter's own "*Time: about N minutes.*"


def chapters() -> list[pathlib.Path]:
    """The numbered notebooks, in order (``06b-…`` after ``06-…``)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]*-*.ipynb"), key=lambda p: p.stem.split("-")[0])


def key_of(path: pathlib.Path) -> str:
    return path.stem.split("-")[0]


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def parse(path: pathlib.Path) -> Chapter:
    """Count what a learner reads and does in the chapter at ``path``."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    words = code = output = predictions = exercises = try_its = 0
    stated = None
    predicting = False
    for cell in cells:
        src = _text(cell["source"])
        if cell["cell_type"] == "markdown":
            code += sum(_lines(block) for block in FENCE.findall(src))
            prose = re.sub(r"<[^>]+>", " ", FENCE.sub(" ", src))
            words += len(WORD.findall(prose))
            exercises += len(EXERCISE.findall(src))
            if stated is None and (found := STATED.search(src)):
                stated = int(found.group(1))
            predicting = False
            continue
        if cell["cell_type"] != "code" or "show_solution(" in src:
            continue
        code += sum(1 for line in src.splitlines() if line.strip() and not DIRECTIVE.match(line.strip()))
        for out in cell.get("outputs", []):
            output += _lines(_text(out.get("text") or out.get("data", {}).get("text/plain", "")))
        asks = "predict" in cell.get("metadata", {}).get("tags", [])
        predictions += asks and not predicting  # one question may cover several cells
        predicting = asks
        try_its += bool(TRY_IT.search(src))
    return Chapter(key_of(path), words, code, output, predictions, exercises, try_its, stated)


def minutes(ch: Chapter, run_s: float | None = None) -> float:
    """The model's minutes for a chapter; ``run_s`` overrides the pass's measured run time."""
    done = PASS[ch.key]
    run = done.run_s if run_s is None else run_s
    return (
        ch.words / PROSE_WPM
        + ch.code_lines / CODE_LPM
        + ch.output_lines / OUTPUT_LPM
        + ch.predictions * PREDICT_MIN
        + ch.exercises * EXERCISE_MIN
        + sum(done.attempts) * ATTEMPT_MIN
        + ch.try_its * TRY_MIN
        + run / 60
    )


def rounded(value: float) -> int:
    """To the nearest 5 minutes (halves up), never below 5."""
    return max(5, int(value / 5 + 0.5) * 5)


def measure_run_time(path: pathlib.Path) -> float:
    """Run a chapter top to bottom in a fresh kernel; the seconds its cells took, summed."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=900, kernel_name="python3", allow_errors=True, record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
    )  # fmt: skip
    client.execute()
    total = 0.0
    for cell in nb.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            start, end = (
                datetime.datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                for k in ("iopub.execute_input", "shell.execute_reply")
            )
            total += (end - start).total_seconds()
    return total


def table(run: bool = False) -> str:
    head = (
        f"{'chapter':<8}{'words':>6}{'code':>6}{'output':>7}{'predict':>8}{'exerc.':>7}"
        f"{'runs':>5}{'try':>4}{'run s':>7}{'model':>7}{'time':>6}{'stated':>7}"
    )
    rows = [head]
    total = 0.0
    for path in chapters():
        ch = parse(path)
        run_s = measure_run_time(path) if run else PASS[ch.key].run_s
        model = minutes(ch, run_s)
        total += model
        rows.append(
            f"{ch.key:<8}{ch.words:>6}{ch.code_lines:>6}{ch.output_lines:>7}{ch.predictions:>8}"
            f"{ch.exercises:>7}{sum(PASS[ch.key].attempts):>5}{ch.try_its:>4}{run_s:>7.1f}"
            f"{model:>7.1f}{rounded(model):>6}{ch.stated if ch.stated is not None else '-':>7}"
        )
    rows.append(f"total {total:.0f} minutes ({total / 60:.1f} hours)")
    rows.append(
        f"model: prose {PROSE_WPM} words/min, code {CODE_LPM} lines/min, output {OUTPUT_LPM} lines/min, "
        f"{PREDICT_MIN} min a prediction, {EXERCISE_MIN} min an exercise + {ATTEMPT_MIN} min a "
        f"self-check run, {TRY_MIN} min a console, plus the cells' run time"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", action="store_true", help="measure each chapter's run time now")
    args = parser.parse_args(argv)
    print(table(run=args.run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
