"""scripts/chapter_times.py reads every chapter, and the times the workshop states agree with it.

Nothing here is timed: the model counts what a chapter asks a learner to read and do.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import sys
from types import ModuleType

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("chapter_times", ROOT / "scripts" / "chapter_times.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["chapter_times"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


ct = _load()
CHAPTERS = ct.chapters()


def _cells(path: pathlib.Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_every_chapter_is_read_and_has_learner_pass_data() -> None:
    keys = [ct.key_of(p) for p in CHAPTERS]
    assert len(keys) >= 12
    assert sorted(keys) == sorted(ct.PASS), "each chapter needs its learner-pass entry, and only they"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_a_chapter_is_parsed(path: pathlib.Path) -> None:
    ch = ct.parse(path)
    cells = _cells(path)
    assert ch.words > 200 and ch.code_lines > 10 and ch.output_lines > 0
    headings = sum(
        len(re.findall(r"^### Exercise\b", "".join(c["source"]), re.M))
        for c in cells
        if c["cell_type"] == "markdown"
    )
    assert ch.exercises == headings
    assert len(ct.PASS[ch.key].attempts) == ch.exercises, "one self-check count per exercise"
    assert all(n >= 1 for n in ct.PASS[ch.key].attempts)
    predict_cells = sum("predict" in c.get("metadata", {}).get("tags", []) for c in cells)
    assert 1 <= ch.predictions <= predict_cells
    assert ch.stated is not None, "the chapter states its time under the title"


def test_what_is_counted(tmp_path: pathlib.Path) -> None:
    """Prose words, code lines (markdown code blocks included, directives and solutions not), output
    lines, and one prediction for a question that covers two cells."""
    cells = [
        {"cell_type": "markdown", "source": "# T\n\n*Time: about 5 minutes.*\n\n```js\na();\n\nb();\n```\n",
         "metadata": {}},
        {"cell_type": "markdown", "source": "Predict the two tables:", "metadata": {}},
        {"cell_type": "code", "source": "# scenario: x\nprint(1)\n\n", "metadata": {"tags": ["predict"]},
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n\n2\n"}]},
        {"cell_type": "code", "source": "print(2)", "metadata": {"tags": ["predict"]}, "outputs": []},
        {"cell_type": "markdown", "source": "### Exercise 1: Go\n\nWrite it.", "metadata": {}},
        {"cell_type": "code", "source": "PairConsole()", "metadata": {}, "outputs": []},
        {"cell_type": "code", "source": '# show_solution("solutions/x.py")', "metadata": {}, "outputs": []},
    ]  # fmt: skip
    path = tmp_path / "99-sample.ipynb"
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    ch = ct.parse(path)
    assert (ch.code_lines, ch.output_lines, ch.predictions, ch.exercises, ch.try_its, ch.stated) == (
        2 + 1 + 1 + 1, 2, 1, 1, 1, 5,
    )  # fmt: skip
    # "# T", "Time: about 5 minutes.", "Predict the two tables", "Exercise 1: Go", "Write it."
    assert ch.words == 1 + 4 + 4 + 3 + 2


def test_the_model_adds_up() -> None:
    ch = ct.Chapter("01", words=180, code_lines=12, output_lines=20, predictions=2, exercises=1,
                    try_its=1, stated=None)  # fmt: skip
    expected = 1 + 1 + 1 + 2 * ct.PREDICT_MIN + ct.EXERCISE_MIN + ct.ATTEMPT_MIN + ct.TRY_MIN + 60 / 60
    assert ct.minutes(ch, run_s=60) == pytest.approx(expected)
    assert [ct.rounded(m) for m in (0.5, 12.4, 12.5, 27.6, 91.6)] == [5, 10, 15, 30, 90]


def _stated_in_readme() -> dict[str, int]:
    return {
        m.group(1).split("-")[0]: int(m.group(2))
        for m in re.finditer(r"^\| `(\d\d\w?-[\w-]+)` \| (\d+) min \|", README.read_text(), re.M)
    }


def _stated_in_start_here() -> dict[str, int]:
    text = "".join("".join(c["source"]) for c in _cells(ct.NOTEBOOKS / "00-start-here.ipynb"))
    return {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^\| \[(\w+) [^\]]*\]\([^)]*\) \| (\d+) min \|", text, re.M)
    }


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_stated_times_agree_with_the_model(path: pathlib.Path) -> None:
    """The chapter's header, the README's table and chapter 00's table say one time, within 5
    minutes of the model (a small edit may move the model across a rounding step)."""
    ch = ct.parse(path)
    model = ct.minutes(ch)
    stated = {"header": ch.stated, "README": _stated_in_readme().get(ch.key)}
    if ch.key != "00":
        stated["00-start-here"] = _stated_in_start_here().get(ch.key)
    assert len(set(stated.values())) == 1, f"{path.stem} states different times: {stated}"
    assert abs(ch.stated - model) <= 5, (
        f"{path.stem} states {ch.stated} min; the model says {model:.1f} (scripts/chapter_times.py): "
        "update the header, the README and chapter 00's table"
    )


def test_the_readme_states_the_model_it_uses() -> None:
    text = " ".join(README.read_text().split())
    assert "scripts/chapter_times.py" in text
    phrases = [
        f"{ct.PROSE_WPM} words a minute",
        f"{ct.CODE_LPM} lines a minute of code",
        f"{ct.OUTPUT_LPM} of printed output",
        f"{ct.PREDICT_MIN} minutes a prediction",
    ]
    for phrase in phrases:
        assert phrase in text, phrase


def test_the_script_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert ct.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("chapter") and "total" in out
    assert len([line for line in out.splitlines() if re.match(r"\d\d", line)]) == len(CHAPTERS)


def test_the_readme_states_the_workshops_whole_time() -> None:
    words = {"five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
    found = re.search(r"self-paced workshop of about (\w+) hours", " ".join(README.read_text().split()))
    assert found and found.group(1) in words, "the README states the workshop's time in hours"
    total = sum(ct.rounded(ct.minutes(ct.parse(p))) for p in CHAPTERS) / 60
    assert abs(words[found.group(1)] - total) <= 0.5, f"the chapters add up to {total:.1f} hours"
