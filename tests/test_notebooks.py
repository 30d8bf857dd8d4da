"""The workshop notebooks: stored outputs are the script's, nbval bites, exercises check.

nbval itself runs the notebooks (``--nbval`` in addopts, ``notebooks`` in
testpaths). The tests here make sure that run means something:

* the committed notebooks are exactly what ``scripts/regen_notebooks.py``
  produces (apart from sanitized parts), so nobody saved outputs by hand;
* nbval fails when the playground misbehaves (a ``sitecustomize`` in the
  kernel's environment breaks it; the package itself is untouched);
* every exercise's self-check fails on the empty scaffold and passes on the
  solution file the notebook offers to load, run in a namespace of its own
  (tests/test_exercise_hints.py adds recorded wrong answers and their hints);
* the answer to every prediction is folded, and its preview is a heading;
* every cell that shows events, errors or close codes names the workerd
  scenario that backs it, and notebooks/scenarios.txt lists each one.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import importlib.util
import inspect
import io
import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap
from typing import Any

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def workshop_notebooks() -> list[pathlib.Path]:
    """Every chapter, in order: ``06b-OPTIONAL-…`` comes after ``06-…``."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]*-*.ipynb"), key=lambda p: p.stem.split("-")[0])


def load(path: pathlib.Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell: dict[str, Any]) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def sanitizers() -> list[tuple[re.Pattern[str], str]]:
    """The regex/replace pairs of tests/nbval_sanitize.cfg, read as nbval reads them."""
    text = SANITIZE.read_text(encoding="utf-8")
    pairs = re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.MULTILINE)
    return [(re.compile(rx), rep) for rx, rep in pairs]


def sanitized(nb: dict[str, Any]) -> dict[str, Any]:
    nb = copy.deepcopy(nb)
    rules = sanitizers()
    for cell in code_cells(nb):
        for out in cell.get("outputs", []):
            for key in ("text",):
                if key in out:
                    out[key] = _apply(rules, out[key])
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/"):
                    out["data"][mime] = _apply(rules, value)
    return nb


def _apply(rules: list[tuple[re.Pattern[str], str]], value: str | list[str]) -> str:
    text = value if isinstance(value, str) else "".join(value)
    for rx, rep in rules:
        text = rx.sub(rep, text)
    return text


# ---------------------------------------------------------------- structure


def test_the_workshop_has_its_chapters() -> None:
    names = [p.name for p in workshop_notebooks()]
    assert names[0] == "00-start-here.ipynb"
    assert len(names) >= 7, names
    start = load(NOTEBOOKS / "00-start-here.ipynb")
    links = set(
        re.findall(
            r"\]\(([0-9][0-9]b?-[\w-]+\.ipynb)\)",
            "".join("".join(c["source"]) for c in start["cells"] if c["cell_type"] == "markdown"),
        )
    )
    assert links == set(names[1:]), "00-start-here must link every chapter, and only chapters that exist"


@pytest.mark.parametrize("path", workshop_notebooks(), ids=lambda p: p.stem)
def test_notebook_shape(path: pathlib.Path) -> None:
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith("# ") and first.count("\n# ") == 0, "one H1 first, with a lede"
    assert "## Goals" in first and "You will be able to" in first
    assert re.search(r"\*Time: about \d+ minutes\.\*", first), "a time estimate under the title"
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    if path.name != "00-start-here.ipynb":
        assert "## Check yourself" in markdown
        questions = re.findall(r"^- .*\?$", markdown.split("## Check yourself")[1], re.MULTILINE)
        answers = re.findall(r"<details><summary>Answer</summary>", markdown)
        assert questions and len(answers) == len(questions), "each question has a folded answer"
    if path.name != "00-start-here.ipynb" and "-OPTIONAL-" not in path.name:
        assert re.search(r"^### Exercise \d+: ", markdown, re.MULTILINE), "each chapter has an exercise"
        assert "```js" in markdown or "```toml" in markdown, "JavaScript (or wrangler.toml) beside the Python"
    for cell in code_cells(nb):
        src = source(cell)
        if "NBVAL_SKIP" in src or "NBVAL_IGNORE_OUTPUT" in src:
            # nbval honours a marker only as a whole comment line ("# NBVAL_IGNORE_OUTPUT");
            # "# NBVAL_IGNORE_OUTPUT: because ..." is silently not an opt-out.
            markers = re.findall(r"^#\s*NBVAL_\w+.*$", src, re.MULTILINE)
            assert markers and all(re.fullmatch(r"#\s*NBVAL_[A-Z_]+\s*", m) for m in markers), (
                f"put the nbval marker alone on its line: {src[:80]!r}"
            )
            reasons = [
                line for line in src.splitlines() if line.lstrip().startswith("#") and "NBVAL_" not in line
            ]
            assert any(re.search(r"because|since|:", r) for r in reasons), (
                f"opt-out without a reason: {src[:80]!r}"
            )


# ---------------------------------------------------------------- outputs come from the script


def _regen_module() -> Any:
    spec = importlib.util.spec_from_file_location("regen_notebooks", ROOT / "scripts" / "regen_notebooks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_committed_notebooks_are_what_the_script_produces(tmp_path: pathlib.Path) -> None:
    regen = _regen_module()
    assert regen.main(["--out", str(tmp_path)]) == 0
    differ = []
    for path in workshop_notebooks():
        committed = load(path)
        fresh = json.loads((tmp_path / path.name).read_text(encoding="utf-8"))
        # The kernel's language_info is kept (JupyterLab compares it on open); its Python
        # version is this machine's, not the notebook's content.
        for nb in (committed, fresh):
            nb["metadata"].get("language_info", {}).pop("version", None)
        if sanitized(committed) != sanitized(fresh):
            differ.append(path.name)
    assert not differ, (
        f"{differ} differ from what scripts/regen_notebooks.py produces: run "
        "`.venv/bin/python scripts/regen_notebooks.py` and commit the result "
        "(never save outputs from JupyterLab)"
    )


# ---------------------------------------------------------------- nbval guards the kit

BREAKAGES = {
    # send() delivers each message after the one sent next: order breaks.
    "send-order": """
        from cfws_playground import socket as _s
        _send = _s.WebSocket.send
        def send(self, *args, **kwargs):
            _send(self, *args, **kwargs)
            q = self._outgoing
            if len(q) >= 2 and not isinstance(q[-1], _s._Close) and not isinstance(q[-2], _s._Close):
                q[-1], q[-2] = q[-2], q[-1]
        _s.WebSocket.send = send
    """,
    # close() sends 1001 for every valid code (and 1000 when asked for 1001).
    "close-code": """
        from cfws_playground import socket as _s
        _close = _s.WebSocket.close
        def close(self, code=None, reason=None):
            if isinstance(code, int) and 1000 <= code < 5000 and code not in (1004, 1005, 1006, 1015):
                code = 1000 if code == 1001 else 1001
            return _close(self, code, reason)
        _s.WebSocket.close = close
    """,
}


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_nbval_fails_against_a_broken_playground(breakage: str, tmp_path: pathlib.Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(
        "# Breaks cfws_playground in every process started with this PYTHONPATH.\n"
        + textwrap.dedent(BREAKAGES[breakage]),
        encoding="utf-8",
    )
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    # The same options as the README's command (pyproject's addopts), on the notebooks only.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "notebooks/"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    failed = sorted(set(re.findall(r"^FAILED (notebooks/\S+::Cell \d+)", result.stdout, re.MULTILINE)))
    print(f"{breakage}: {len(failed)} cells failed:\n  " + "\n  ".join(failed))
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert len(failed) >= 5, f"the {breakage} breakage slipped past most notebooks: {failed}"
    chapters = {f.split("::")[0] for f in failed}
    assert len(chapters) >= 3, f"only {chapters} noticed {breakage}"


# ---------------------------------------------------------------- exercises


#: A solution cell: shown when uncommented, never run (see checks.show_solution).
SHOW_SOLUTION = r'# show_solution\("(solutions/[\w.-]+\.py)"\)'


def exercises() -> list[tuple[str, str, str, str, str]]:
    """(notebook, set-up, scaffold, check call, solution file) for every exercise.

    The set-up is the chapter's imports cell and the cells tagged ``exercise-setup`` above the
    exercise (the chapter's own classes an answer builds on)."""
    found = []
    for path in workshop_notebooks():
        cells = code_cells(load(path))
        imports = source(cells[0]) if cells else ""
        scaffold = None
        for cell in cells:
            kinds = tags(cell)
            if "exercise-setup" in kinds:
                imports += "\n\n" + source(cell)
            elif "exercise-scaffold" in kinds:
                scaffold = source(cell)
            elif "self-check" in kinds:
                check = source(cell)
            elif "solution" in kinds:
                # Only a commented show_solution(): Run All runs nothing, and the learner's answer stays.
                m = re.fullmatch(SHOW_SOLUTION, source(cell).strip())
                assert m, f"{path.name}: a solution cell is `# show_solution(...)` alone: {source(cell)!r}"
                assert scaffold is not None, f"{path.name}: solution without a scaffold before it"
                found.append((path.name, imports, scaffold, check, m.group(1)))
                scaffold = None
    return found


EXERCISES = exercises()


def test_solutions_never_run_in_the_learners_namespace() -> None:
    """No cell runs a solution file: Run All must leave the learner's answers alone."""
    for path in workshop_notebooks():
        for cell in code_cells(load(path)):
            for line in source(cell).splitlines():
                if "solutions/" in line or "%load" in line:
                    assert re.fullmatch(SHOW_SOLUTION, line.strip()), (path.name, line)


@pytest.mark.usefixtures("in_notebooks")
def test_showing_a_solution_runs_none_of_it(capsys: pytest.CaptureFixture[str]) -> None:
    """Uncommented and run, the solution cell shows the file and defines nothing, even on Run All."""
    sys.path.insert(0, str(NOTEBOOKS))
    from checks import show_solution  # noqa: PLC0415

    ns: dict[str, Any] = {"show_solution": show_solution, "__name__": "__main__"}
    before = set(ns)
    show_solution("solutions/08-names.py")
    exec('show_solution("solutions/01-greet.py")', ns)  # noqa: S102 - the cell, uncommented
    assert set(ns) - before == {"__builtins__"}, "the solution defined names in the notebook"
    shown = capsys.readouterr().out
    assert "def names(sockets):" in shown and "async def greet(pair):" in shown


def test_every_solution_file_belongs_to_an_exercise() -> None:
    used = {solution for *_, solution in EXERCISES}
    on_disk = {f"solutions/{p.name}" for p in (NOTEBOOKS / "solutions").glob("*.py")}
    assert used == on_disk
    assert len(EXERCISES) >= 6


async def _run_cells(sources: list[str], ns: dict[str, Any]) -> None:
    for src in sources:
        code = compile(src, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(code, ns)  # noqa: S307 - the notebook's own cells
        if inspect.iscoroutine(result):
            await result


@pytest.fixture
def in_notebooks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(NOTEBOOKS)
    monkeypatch.syspath_prepend(str(NOTEBOOKS))


@pytest.mark.usefixtures("in_notebooks")
@pytest.mark.parametrize(
    ("notebook", "imports", "scaffold", "check", "solution"),
    EXERCISES,
    ids=[solution.removeprefix("solutions/").removesuffix(".py") for *_, solution in EXERCISES],
)
async def test_self_check_fails_on_scaffold_and_passes_on_solution(
    notebook: str, imports: str, scaffold: str, check: str, solution: str
) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        await _run_cells([imports, scaffold, check], {"__name__": "__main__"})
    assert out.getvalue().startswith("✗ Not yet: "), f"the empty scaffold passed: {out.getvalue()!r}"

    out = io.StringIO()
    solution_source = (NOTEBOOKS / solution).read_text(encoding="utf-8")
    with contextlib.redirect_stdout(out):
        await _run_cells([imports, solution_source, check], {"__name__": "__main__"})
    assert out.getvalue().startswith("✓ "), f"the solution failed its self-check: {out.getvalue()!r}"
    assert "✗" not in out.getvalue()


# ---------------------------------------------------------------- predict, then see


@pytest.mark.parametrize("path", workshop_notebooks(), ids=lambda p: p.stem)
def test_the_answer_to_every_prediction_is_folded(path: pathlib.Path) -> None:
    """A cell that answers a "Predict ..." question opens with its output collapsed."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    predicting = _regen_module().predict_cells(nb)
    asks = any(c.cell_type == "markdown" and re.search(r"\bPredict\b|\bpredict:", c.source) for c in nb.cells)
    assert bool(predicting) == asks
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        hidden = cell.metadata.get("jupyter", {}).get("outputs_hidden", False)
        assert hidden == (i in predicting), (path.name, i, cell.source[:60])
        assert ("predict" in cell.metadata.get("tags", [])) == (i in predicting)
        if i in predicting and cell.outputs:
            # JupyterLab previews a folded output by its first line: a heading, never the answer.
            heading = folded_preview(cell.outputs[0])
            assert heading.endswith((":", "?")) or heading.startswith("   #  "), (path.name, i, heading)


def folded_preview(output: Any) -> str:
    """The line JupyterLab shows for a folded output: the first non-empty line of the first output."""
    text = output.get("text") or output.get("data", {}).get("text/plain", "")
    return next((line for line in "".join(text).split("\n") if line), "")


# ---------------------------------------------------------------- claims backed by workerd scenarios

SCENARIOS = NOTEBOOKS / "scenarios.txt"
SCENARIO_NAME = r"[a-z0-9]+(?:-[a-z0-9]+)+"


def scenario_table() -> dict[str, str]:
    """notebooks/scenarios.txt: one ``name<TAB>claim`` per line."""
    table = {}
    for line in SCENARIOS.read_text(encoding="utf-8").splitlines():
        name, claim = line.split("\t")
        assert re.fullmatch(SCENARIO_NAME, name), name
        assert claim.endswith(".") and name not in table, line
        table[name] = claim
    return table


def test_every_scenario_a_chapter_names_is_listed_and_every_listed_one_is_named() -> None:
    named = set()
    for path in workshop_notebooks():
        for cell in load(path)["cells"]:
            named |= set(re.findall(rf"scenario: ({SCENARIO_NAME})", source(cell)))
    assert named == set(scenario_table())


@pytest.mark.parametrize("path", workshop_notebooks(), ids=lambda p: p.stem)
def test_cells_that_show_events_or_errors_name_their_scenario(path: pathlib.Path) -> None:
    """Event order, error texts, close codes: each cell that shows them says which scenario backs it."""
    unnamed = []
    for cell in code_cells(load(path)):
        shown = "".join(
            _apply([], out.get("text", "")) + _apply([], out.get("data", {}).get("text/plain", ""))
            for out in cell.get("outputs", [])
        )
        if re.search(r"← (message|close|error)|DOMException|  raised|close code|close 10\d\d", shown):
            if "scenario: " not in source(cell):
                unnamed.append(source(cell)[:70])
    assert not unnamed, unnamed


#: What a sentence of prose states about the runtime: a close code, a readyState,
#: an error class, the trailing error's text.
STATED_FACT = re.compile(
    r"\b10(?:0\d|1[0-5])\b|\b[0-3] (?:CONNECTING|OPEN|CLOSING|CLOSED)\b|readyState [0-3]\b"
    r"|\b(?:TypeError|InvalidAccessError|SyntaxError|RangeError)\b|Network connection lost"
)
#: Where a fact may rest instead of a scenario: the protocol itself, or a sentence saying none backs it.
OTHER_SOURCE = re.compile(r"RFC 6455|no scenario backs")
#: Cells that point back at facts cited where they were taught: a chapter's goals, the
#: glossary, an exercise's statement, the check-yourself questions, the table of chapters.
RECAP = re.compile(
    r"^(?:# |## Goals|## Glossary|## Check yourself|### Exercise \d+:|\| \[\d\d)", re.MULTILINE
)


@pytest.mark.parametrize("path", workshop_notebooks(), ids=lambda p: p.stem)
def test_prose_that_states_a_fact_names_what_backs_it(path: pathlib.Path) -> None:
    """A markdown cell stating a code, a readyState, an error class or the trailing error
    cites a scenario, names its other source, or explains the output of the code cell just
    above, which cites one."""
    unbacked = []
    previous_cites = False
    for cell in load(path)["cells"]:
        text = source(cell)
        if cell["cell_type"] == "markdown":
            stated = STATED_FACT.search(text)
            backed = "scenario: " in text or OTHER_SOURCE.search(text) or previous_cites
            if stated and not backed and not RECAP.search(text):
                unbacked.append(f"{stated.group(0)!r} in {text[:70]!r}")
        previous_cites = cell["cell_type"] == "code" and "scenario: " in text
    assert not unbacked, unbacked


def workerd_transcripts() -> dict[str, Any]:
    """The recorded transcripts of the JS scenarios, and of the Python ones (Pyodide in workerd)."""
    from cfws_playground.fidelity.pyodide.compare import load_python_references  # noqa: PLC0415
    from cfws_playground.fidelity.workerd import WORKERD_VERSION  # noqa: PLC0415

    refs = ROOT / "cfws_playground" / "fidelity" / "references" / f"workerd-{WORKERD_VERSION}.json"
    transcripts = dict(json.loads(refs.read_text(encoding="utf-8"))["transcripts"])
    transcripts.update(load_python_references()["transcripts"])
    return transcripts


#: Close codes (not years, not times) and workerd's error texts, as a cell's output shows them.
SHOWN_CODE = re.compile(r"(?<![\d.:-])(10(?:0\d|1[0-5])|[34]\d{3})(?![\d-])")
WORKERD_TEXTS = (
    "Network connection lost.",
    "Invalid WebSocket close code",
    "Can't call WebSocket send() after close().",
    "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.",
    "WebSocket close reason must not be longer than 123 bytes when UTF-8 encoded.",
    "Can't accept() WebSocket after enabling hibernation.",
    "WebSocket disconnected without sending Close frame.",
)


@pytest.mark.parametrize("path", workshop_notebooks(), ids=lambda p: p.stem)
def test_what_a_cell_shows_is_in_the_scenarios_it_cites(path: pathlib.Path) -> None:
    """The scenario really shows it: every close code and workerd error text in a citing
    cell's stored output occurs in the recorded workerd transcripts of the scenarios it cites."""
    transcripts = workerd_transcripts()
    unshown = []
    for cell in code_cells(load(path)):
        names = re.findall(rf"scenario: ({SCENARIO_NAME})", source(cell))
        if not names:
            continue
        shown = "".join(
            _apply([], out.get("text", "")) + _apply([], out.get("data", {}).get("text/plain", ""))
            for out in cell.get("outputs", [])
        )
        recorded = "\n".join(json.dumps(transcripts.get(name, {}), ensure_ascii=False) for name in names)
        recorded = recorded.replace('\\"', '"')
        for code in sorted(set(SHOWN_CODE.findall(shown))):
            if code not in recorded:
                unshown.append(f"close code {code} under {names}")
        for text in WORKERD_TEXTS:
            if text in shown and text not in recorded:
                unshown.append(f"{text!r} under {names}")
    assert not unshown, unshown


def test_the_scenario_list_never_calls_a_matching_scenario_open() -> None:
    """scenarios.txt says "the kit does not yet" only of a scenario the fidelity tests list as open."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_fidelity import OPEN  # noqa: PLC0415

    table = scenario_table()
    stale = [
        name
        for name, claim in table.items()
        if re.search(r"not yet|does not match", claim) and name not in OPEN
    ]
    assert not stale, f"these match workerd now (they are not in OPEN): {stale}"


def test_the_capstones_wrangler_block_is_its_project_file() -> None:
    """Chapter 08 shows its project's wrangler.toml in a ```toml block: the block and the file agree."""
    import tomllib

    markdown = "\n".join(source(c) for c in load(NOTEBOOKS / "08-capstone-chat.ipynb")["cells"])
    blocks = re.findall(r"```toml\n(.*?)```", markdown, re.DOTALL)
    assert len(blocks) == 1
    on_disk = (NOTEBOOKS / "08-chat-room" / "wrangler.toml").read_text(encoding="utf-8")
    assert tomllib.loads(blocks[0]) == tomllib.loads(on_disk)
