"""ruff and mypy run with the tests, so CI enforces what pyproject.toml configures.

mypy is strict on the package (``[tool.mypy]``); ruff checks the package, the
tests, the benchmarks, the examples, the scripts and the notebooks' code, and
that they are formatted (but for what ``[tool.ruff.format]`` excludes).
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; it is part of the test extra: pip install -e '.[test]'")
    return path


TARGETS = ["cfws_playground", "tests", "benchmarks", "examples", "scripts", "notebooks"]


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        # What [tool.ruff.format] leaves as written (the scenario tables, the chapters) is
        # excluded there, with the reason.
        ["format", "--check"],
    ],
    ids=["check", "format"],
)
def test_ruff(command: list[str]) -> None:
    result = subprocess.run(
        [_tool("ruff"), *command, "--output-format", "concise", *TARGETS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_package() -> None:
    result = subprocess.run(
        [_tool("mypy"), "--no-error-summary"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
