"""The workshop in JupyterLite: each chapter runs in chromium with no server and no outside request.

One build (``scripts/build_lite.py``, the README's command) for the whole
module, plus the widget notebook of the other browser tests; a plain static
server on 127.0.0.1. Each chapter opens in a **fresh** browser context, uses
*Run All*, and must print exactly the outputs stored in ``notebooks/`` — the
ones nbval checks — while every request for a host other than 127.0.0.1 is
blocked and counted (the count must stay 0). Opened and left alone, a chapter
shows its stored outputs and stays unmodified once its kernel has started; a
chapter's widgets read (WCAG 2 AA) in the light and the dark theme. Kernel
start, Run All time and the site's size go to the test log; screenshots to
``artifacts/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
import scenario_library
from chromium import CHROMIUM_ARGS, chromium_executable
from lab import KERNEL_IDLE
from lite import (
    OutsideRequests,
    build_site,
    expose_app,
    open_chapter,
    outside_requests,
    run_chapter,
    site_size,
    static_server,
)
from look_checks import CONTRAST, MINIMUM_CONTRAST, WIDGETS as WIDGET_ROOTS, set_theme, show_every_output
from widget_checks import (
    check_console_shows_error,
    check_diagram,
    check_stream_matches_kernel,
    check_stream_stays_live,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "artifacts"
WIDGETS = HERE / "notebooks" / "live_widgets.ipynb"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
#: Scenarios whose kit transcripts in Pyodide's WebLoop are known to differ from CPython's
#: asyncio, each with why. Strict: a scenario listed here that agrees fails the test too.
KNOWN_DIFFERENT_IN_WEBLOOP: dict[str, str] = {}
#: nbval never compares these (widget model ids are random; images need --nbdime).
NOT_COMPARED = {"application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg"}


def log(request: pytest.FixtureRequest, text: str) -> None:
    """A line in the test log, shown whether the test passes or not."""
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(f"lite: {text}")
    else:
        print(f"lite: {text}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, Any]:
    chromium_executable()  # skips locally without chromium (before building anything), fails in CI
    if shutil.which("npm") is None:  # the build fetches Pyodide's core with `npm pack`
        reason = "needs npm to build the site (apt-get install -y npm)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI is set: the browser tests must run in CI")
        pytest.skip(reason)
    output = tmp_path_factory.mktemp("lite") / "_site"
    start = time.monotonic()
    native = scenario_library.native()  # the site's scenario notebook shows the rows that differ from these
    library = scenario_library.write_notebook(output.parent / scenario_library.NAME, native)
    manifest = build_site(output, extra=[WIDGETS, library])
    manifest["native"] = native
    manifest["path"] = output
    log(request, f"site built in {time.monotonic() - start:.1f} s, {site_size(output) / 1e6:.1f} MB")
    for line in manifest.pop("log"):
        log(request, line)
    expose_app(output)
    return manifest


@pytest.fixture(scope="module")
def outside() -> Iterator[OutsideRequests]:
    with outside_requests() as proxy:
        yield proxy


@pytest.fixture(scope="module")
def served(site: dict[str, Any]) -> Iterator[str]:
    with static_server(site["path"]) as base:
        yield base


@pytest.fixture(scope="module")
def browser(served: str, outside: OutsideRequests) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS + outside.args)
        try:
            yield instance
        finally:
            instance.close()


def _sanitizers() -> list[tuple[re.Pattern[str], str]]:
    text = SANITIZE.read_text()
    return [(re.compile(m[0]), m[1]) for m in re.findall(r"^regex: (.*)\n^replace: (.*)$", text, re.M)]


def comparable(outputs: list[dict[str, Any]]) -> list[Any]:
    """A cell's outputs as nbval compares them: streams merged by name, data by MIME type."""
    subs = _sanitizers()

    def clean(text: Any) -> str:
        text = "".join(text) if isinstance(text, list) else str(text)
        for pattern, replacement in subs:
            text = pattern.sub(replacement, text)
        return text

    streams: dict[str, str] = {}
    rest: list[Any] = []
    for out in outputs:
        kind = out["output_type"]
        if kind == "stream":
            streams[out["name"]] = streams.get(out["name"], "") + clean(out["text"])
        elif kind in ("execute_result", "display_data"):
            data = {k: clean(v) for k, v in out["data"].items() if k not in NOT_COMPARED}
            rest.append((kind, dict(sorted(data.items()))))
        elif kind == "error":
            rest.append((kind, out["ename"], clean(out["evalue"])))
    return [*sorted(streams.items()), *rest]


def lite_skipped(cell: Any) -> bool:
    """Whether the site shows this code cell commented out (its ``# LITE_SKIP: why`` line)."""
    return any(line.startswith("# LITE_SKIP:") for line in cell.source.splitlines())


def compared(cell: Any) -> bool:
    """Whether strict nbval compares this stored cell's output (and the browser runs the cell)."""
    if lite_skipped(cell):
        return False  # shown commented out: it prints nothing here
    tags = set(cell.metadata.get("tags", []))
    markers = {"NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP"}
    if tags & {"nbval-ignore-output", "nbval-skip"} or any(m in cell.source for m in markers):
        return False
    return cell.execution_count is not None


@pytest.mark.timeout(600)  # the module's one build happens here (from scratch: a few minutes)
def test_the_site_has_every_chapter(site: dict[str, Any]) -> None:
    every = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]*-*.ipynb"))  # 06b-OPTIONAL-... too
    assert sorted(site["chapters"]) == every  # only cells are left out, each under its note
    assert "left_out" not in site
    # Chapter 06 and 06b serve on 127.0.0.1: those cells are shown, not run; the rest runs.
    for name in ("06-real-clients.ipynb", "06b-OPTIONAL-scripts-and-browser.ipynb"):
        shown = nbformat.read(site["path"] / "files" / name, as_version=4)
        skipped = [c for c in shown.cells if c.source.startswith("# Not run in JupyterLite: ")]
        assert any("# server = await serve(fetch)" in c.source for c in skipped), (name, skipped)
        assert len(shown.cells) > 10, name  # the chapter itself, not a page standing in for it
    # The kit orders events itself, through asyncio's public API, so the chapter that compares
    # it with workerd runs here too; only its live-workerd cell is shown, not run.
    assert "10-check-the-kit.ipynb" in site["chapters"]
    # The Durable Object chapters run on in-process clients; only their serve() cells are shown, not run.
    assert {"08-capstone-chat.ipynb", "09-durable-objects.ipynb"} <= set(site["chapters"])
    for name in ("08-capstone-chat.ipynb", "09-durable-objects.ipynb"):
        shown = nbformat.read(site["path"] / "files" / name, as_version=4)
        skipped = [c for c in shown.cells if c.source.startswith("# Not run in JupyterLite: ")]
        assert len(skipped) == 1 and "# async with serve(" in skipped[0].source, (name, skipped)
    assert (site["path"] / "files" / "08-chat-room" / "src" / "entry.py").exists()  # load_project() reads it
    served = nbformat.read(site["path"] / "files" / "10-check-the-kit.ipynb", as_version=4)
    skipped = [c.source for c in served.cells if c.source.startswith("# Not run in JupyterLite: ")]
    assert len(skipped) == 1 and "\n# if find_workerd():" in skipped[0], skipped
    assert (site["path"] / "files" / "checks.py").exists()
    assert (site["path"] / "files" / "topology.svg").exists()  # chapter 00 shows it
    for name in site["chapters"]:  # as a fresh open shows them: one string each, never a list of lines
        stored = json.loads((site["path"] / "files" / name).read_text(encoding="utf-8"))
        for cell in stored["cells"]:
            assert all(isinstance(o.get("text", ""), str) for o in cell.get("outputs", [])), name
    assert (site["path"] / "files" / "solutions").is_dir()


@pytest.mark.timeout(300)
def test_outside_requests_are_blocked_and_counted(
    served: str, browser: Any, outside: OutsideRequests
) -> None:
    # The guard the chapters rely on: a page and a worker asking another host are
    # both stopped and counted (and nothing else is, in a quiet browser).
    before = outside.count
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(served + "jupyter-lite.json")
        page.evaluate("""async () => {
            try { await fetch('http://example.com/from-page'); } catch (e) {}
            const code = "fetch('https://example.org/from-worker')" +
                         ".catch(() => {}).then(() => postMessage('done'))";
            const worker = new Worker(URL.createObjectURL(new Blob([code])));
            await new Promise(resolve => { worker.onmessage = resolve; });
        }""")
    finally:
        context.close()
    seen = outside.seen[before:]
    assert any("example.com/from-page" in s for s in seen), seen
    assert any("example.org" in s for s in seen), seen
    assert all("example." in s for s in seen), seen


def _chapters() -> list[str]:
    # The build decides (every chapter, or the build fails); ask it the same way here so the
    # parametrization needs no build.
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_lite", ROOT / "scripts" / "build_lite.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [p.name for p in module.chapters()]


@pytest.mark.timeout(720)
@pytest.mark.parametrize("name", _chapters())
def test_chapter_prints_the_stored_outputs(
    name: str, site: dict[str, Any], served: str, browser: Any, outside: OutsideRequests, request: Any
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"lite-{Path(name).stem}.png"
    before = outside.count
    with open_chapter(browser, served, name, outside) as (page, tried):
        idle, ran, cells, outputs = run_chapter(page, name, shot)
        page.screenshot(path=str(shot), full_page=True)
    log(request, f"{name}: kernel idle {idle:.1f} s, Run All {ran:.1f} s, {len(cells)} cells")
    assert tried == [], tried
    stored = [c for c in nbformat.read(NOTEBOOKS / name, as_version=4).cells if c.cell_type == "code"]
    assert len(outputs) == len(stored) == len(cells)
    # Every cell ran once, in order, in this fresh kernel; no error but where one is expected.
    assert [c["count"] for c in cells] == list(range(1, len(cells) + 1))
    failed = [
        (c["source"][:60], c["errors"]) for c in cells if c["errors"] and "raises-exception" not in c["tags"]
    ]
    assert not failed, failed
    checked = 0
    for index, (cell, got) in enumerate(zip(stored, outputs, strict=True)):
        if lite_skipped(cell):
            assert got == [], f"{name} code cell {index} is shown commented out, yet printed: {got}"
        if compared(cell):
            assert comparable(got) == comparable(cell.outputs), f"{name} code cell {index}:\n{cell.source}"
            checked += 1
    assert checked > 0, f"{name}: no stored output to compare"
    assert outside.seen[before:] == [], outside.seen[before:]
    assert shot.stat().st_size > 0


@pytest.mark.timeout(720)
def test_the_scenario_library_gives_the_native_transcripts_in_the_browser(
    site: dict[str, Any], served: str, browser: Any, outside: OutsideRequests, request: Any
) -> None:
    # Every scenario that runs in one process (in-worker ones, Durable Object ones on the
    # kit's side) runs in the Lite kernel, on Pyodide's WebLoop, under each configuration:
    # its transcripts must be the ones CPython's asyncio gives here, row for row, and so
    # must its comparison with the committed workerd references.
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "lite-scenario-library.png"
    native: dict[str, Any] = site["native"]
    before = outside.count
    with open_chapter(browser, served, scenario_library.NAME, outside) as (page, tried):
        idle, ran, cells, outputs = run_chapter(page, scenario_library.NAME, shot)
        page.screenshot(path=str(shot), full_page=True)
    assert tried == [], tried
    assert [c["errors"] for c in cells] == [[], []], cells
    stdout = "".join("".join(o["text"]) for cell in outputs for o in cell if o.get("name") == "stdout")
    brief, rows = scenario_library.parse(stdout)
    runs = sum(len(e["statuses"]) for e in brief.values())
    log(
        request,
        f"{scenario_library.NAME}: kernel idle {idle:.1f} s, {len(brief)} scenarios, {runs} runs"
        f" in {ran:.1f} s",
    )
    assert sorted(brief) == sorted(native)
    assert len(native) >= 300  # the whole in-process library, not a sample
    different = {}
    for name, entry in native.items():
        if brief[name] != {"digest": entry["digest"], "statuses": entry["statuses"]}:
            different[name] = {
                config: {"native": entry["rows"][config], "webloop": rows.get(name, {}).get(config)}
                for config in entry["rows"]
                if entry["rows"][config] != rows.get(name, {}).get(config)
            }
    assert set(rows) == {n for n in native if brief[n]["digest"] != native[n]["digest"]}
    assert sorted(different) == sorted(KNOWN_DIFFERENT_IN_WEBLOOP), json.dumps(different, indent=1)
    assert outside.seen[before:] == [], outside.seen[before:]


@pytest.mark.timeout(720)
def test_widgets_render_and_stay_live(
    site: dict[str, Any], served: str, browser: Any, outside: OutsideRequests, request: Any
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "lite-widgets.png"
    before = outside.count
    with open_chapter(browser, served, WIDGETS.name, outside) as (page, tried):
        idle, ran, cells, _ = run_chapter(page, WIDGETS.name, shot)
        log(request, f"{WIDGETS.name}: kernel idle {idle:.1f} s, Run All {ran:.1f} s")
        assert [c["count"] for c in cells] == list(range(1, len(cells) + 1)), cells
        assert [c["errors"] for c in cells] == [[]] * len(cells), cells
        # The kit's three widgets and ipywidgets render, and follow the kernel live.
        check_stream_matches_kernel(page, cells)
        check_diagram(page, cells)
        check_stream_stays_live(page)
        check_console_shows_error(page)
        # The console's buttons reach the kernel; its labels follow the recorder.
        console = page.locator(".widget-vbox", has=page.locator("button", has_text="new pair"))
        for button in (1, 0):  # server accept(), then client accept()
            console.locator("button", has_text="accept()").nth(button).click()
        console.locator("button", has_text="close()").first.click()
        page.wait_for_function(
            """() => { const box = [...document.querySelectorAll('.widget-vbox')].find(
                         b => [...b.querySelectorAll('button')].some(x => x.textContent === 'new pair'));
                       const labels = [...box.querySelectorAll('.widget-label')].map(l => l.textContent);
                       return labels.filter(t => t === '3 CLOSED').length === 2; }""",
            timeout=20_000,
        )
        page.screenshot(path=str(shot), full_page=True)
    # allow_asyncio_run() said it is unnecessary here, and asyncio.run(main()) worked.
    assert tried == [], tried
    assert outside.seen[before:] == [], outside.seen[before:]


#: One cell as a fresh open renders it, once it is scrolled to: kind, folded, the text of its
#: output area, and its images (whether each loaded, and its size).
RENDERED_CELL = """async ([i, pictures]) => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const cell = nb.widgets[i];
  await nb.scrollToCell(cell, 'start');
  await cell.ready;
  if (cell.model.type === 'markdown') {
    // Markdown renders asynchronously, and its pictures once their addresses are resolved.
    const deadline = Date.now() + 20000;
    const ready = () => cell.node.querySelector('.jp-RenderedMarkdown') &&
                        cell.node.querySelectorAll('.jp-RenderedMarkdown img').length >= pictures;
    while (!ready() && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 50));
    }
  }
  const images = [];
  for (const img of cell.node.querySelectorAll('.jp-RenderedMarkdown img, .jp-OutputArea-output img')) {
    // JupyterLab resolves a relative src through the contents service, then the image loads.
    const until = Date.now() + 20000;
    while (!(img.complete && img.naturalWidth > 0) && Date.now() < until) {
      await new Promise(r => setTimeout(r, 100));
    }
    images.push({src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
                 width: img.naturalWidth});
  }
  const area = cell.model.type === 'code' ? cell.node.querySelector('.jp-OutputArea') : null;
  return {
    kind: cell.model.type,
    folded: cell.model.type === 'code' ? cell.outputHidden : false,
    stored: cell.model.type === 'code' ? cell.model.outputs.length : 0,
    outputs: area ? [...area.querySelectorAll('.jp-OutputArea-output')].map(o => o.textContent) : [],
    images,
  };
}"""


#: Whether the open notebook shows as modified (its model, its tab's mark), and the kernel
#: metadata it holds, which JupyterLab rewrote when the kernel started.
DIRTY = """() => { const nb = window.jupyterapp.shell.currentWidget;
   return {model: nb.context.model.dirty, tab: nb.title.className.includes('jp-mod-dirty'),
           marked: document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty').length,
           kernelspec: nb.context.model.getMetadata('kernelspec'),
           language_info: nb.context.model.getMetadata('language_info')}; }"""


#: A picture in markdown (an alt text may hold brackets, as in pair[0]).
PICTURE = re.compile(r"!\[|<img ")


def stored_texts(cell: Any) -> list[str]:
    """The texts a cell's stored outputs show: streams, and the text form of results and displays."""
    texts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            texts.append(out.text)
        elif out.output_type in ("execute_result", "display_data") and "text/plain" in out.data:
            texts.append(out.data["text/plain"])
    return [t for t in texts if t.strip()]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", _chapters())
def test_a_fresh_open_shows_the_stored_outputs_and_pictures(
    name: str, site: dict[str, Any], served: str, browser: Any, outside: OutsideRequests
) -> None:
    """Open a chapter as the site serves it and run nothing: what the learner sees first.

    Every output the file stores renders as its text (one piece, never lines joined with
    commas), a prediction's answer stays folded, a cell the site leaves out shows its note
    and no output, and every picture the markdown shows is there and loads. Once the kernel
    has started, the chapter is still unmodified: JupyterLab writes the kernel's spec and
    ``language_info`` into the notebook then, and the site's copy stores the Pyodide kernel's.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    served_nb = nbformat.read(site["path"] / "files" / name, as_version=4)
    committed = nbformat.read(NOTEBOOKS / name, as_version=4)
    pictures = sum(len(PICTURE.findall(c.source)) for c in committed.cells if c.cell_type == "markdown")
    before = outside.count
    with open_chapter(browser, served, name, outside) as (page, tried):
        page.wait_for_function(
            "(n) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " return !!w && !!w.content && w.content.widgets.length === n; }",
            arg=len(served_nb.cells),
            timeout=120_000,
        )
        rendered = [
            page.evaluate(
                RENDERED_CELL, [i, len(PICTURE.findall(c.source)) if c.cell_type == "markdown" else 0]
            )
            for i, c in enumerate(served_nb.cells)
        ]
        page.wait_for_function(KERNEL_IDLE, timeout=180_000)
        page.wait_for_timeout(2000)  # what a view writes on render, it writes by now
        state = page.evaluate(DIRTY)
        page.screenshot(path=str(ARTIFACTS / f"lite-fresh-{Path(name).stem}.png"))
    assert tried == [], tried
    assert not (state["model"] or state["tab"] or state["marked"]), state
    assert outside.seen[before:] == [], outside.seen[before:]
    assert [r["kind"] for r in rendered] == [c.cell_type for c in served_nb.cells]
    images = [img for r in rendered for img in r["images"]]
    assert len(images) == pictures, (images, pictures)
    if name.startswith("00-"):
        assert pictures == 1, "chapter 00 shows topology.svg"
    assert all(img["loaded"] and img["width"] > 0 for img in images), images
    for index, (cell, shown, original) in enumerate(
        zip(served_nb.cells, rendered, committed.cells, strict=True)
    ):
        if cell.cell_type != "code":
            continue
        where = f"{name} cell {index}: {cell.source[:60]!r}"
        predicts = "predict" in original.metadata.get("tags", []) and bool(original.outputs)
        assert shown["folded"] == predicts, where
        if lite_skipped(original):
            assert cell.source.startswith("# Not run in JupyterLite: ") and shown["outputs"] == [], where
            continue
        assert shown["stored"] == len(cell.outputs), where  # the page has every stored output
        if shown["folded"]:
            continue  # a folded answer is not rendered until the learner opens it
        texts = stored_texts(cell)
        assert len(shown["outputs"]) == len(cell.outputs), where
        for text in texts:
            assert any(text.strip() in out for out in shown["outputs"]), (where, text, shown["outputs"])
        for out in shown["outputs"]:
            assert not any(line.startswith(",") for line in out.splitlines()), (where, out)


#: A chapter that displays widgets in the site: the pair console and sequence diagrams.
LOOK_CHAPTER = "04-close.ipynb"


@pytest.mark.timeout(720)
def test_a_chapters_widgets_read_in_light_and_dark(
    site: dict[str, Any], served: str, browser: Any, outside: OutsideRequests, request: Any
) -> None:
    """Every text of the widgets a chapter renders in the site reaches 4.5:1 (WCAG 2 AA)
    against its effective background, in JupyterLab's light theme and its dark theme, as
    test_widget_look_browser.py checks in JupyterLab and Notebook 7."""
    assert LOOK_CHAPTER in site["chapters"]
    ARTIFACTS.mkdir(exist_ok=True)
    stem = Path(LOOK_CHAPTER).stem
    before = outside.count
    report = []
    with open_chapter(browser, served, LOOK_CHAPTER, outside) as (page, tried):
        run_chapter(page, LOOK_CHAPTER, ARTIFACTS / f"lite-look-{stem}-run-all.png")
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            show_every_output(page, WIDGET_ROOTS)
            texts = page.evaluate(CONTRAST, WIDGET_ROOTS)
            shot = ARTIFACTS / f"lite-look-{stem}-{theme.split()[-1].lower()}.png"
            page.locator(".cfws-sequence").first.screenshot(path=str(shot))
            kinds = {k for t in texts for k in t["widget"].split() if k.startswith("cfws-")}
            assert {"cfws-console", "cfws-sequence"} <= kinds, kinds
            worst = min(texts, key=lambda t: t["ratio"])
            log(request, f"{LOOK_CHAPTER} {theme}: {len(texts)} texts, lowest {worst}")
            report += [f"{theme}: {t}" for t in texts if t["ratio"] < MINIMUM_CONTRAST]
    assert tried == [], tried
    assert outside.seen[before:] == [], outside.seen[before:]
    assert not report, "\n".join(report)
