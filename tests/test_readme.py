"""The README's example runs and prints exactly what the README says it prints."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_prints_what_the_readme_shows(tmp_path: pathlib.Path) -> None:
    text = README.read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S)
    shown = re.search(r"prints\n\n```\n(.*?)```", text, re.S)
    assert code and shown
    script = tmp_path / "example.py"
    script.write_text(code.group(1), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == shown.group(1)


def test_readme_names_the_test_command_that_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"\*\*Set up and run the whole test suite\*\*.*?```bash\n(.*?)\n```", text, re.S)
    assert command and command.group(1) in ci
