"""scripts/build_lite.py without a build: which chapters go to the browser, what stands in for the rest."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def build_lite() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_lite", ROOT / "scripts" / "build_lite.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def notebook(tmp_path: Path, *sources: str, title: str = "# A chapter") -> Path:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"{title}\n", "\n", "A lede."]}]
    cells += [
        {"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
        for s in sources
    ]
    path = tmp_path / "99-probe.ipynb"
    path.write_text(
        json.dumps(
            {
                "cells": cells,
                "metadata": {"kernelspec": {"name": "python3"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    return path


def test_every_chapter_goes_into_the_site(build_lite: ModuleType) -> None:
    # Only cells are left out (each under its `# LITE_SKIP: why`), never a whole chapter.
    names = [p.name for p in build_lite.chapters()]
    every = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]*-*.ipynb"))
    assert "06b-OPTIONAL-scripts-and-browser.ipynb" in every  # a glob of "[0-9][0-9]-*" missed it
    assert sorted(names) == every
    assert names[:8] == [
        "00-start-here.ipynb",
        "01-pairs.ipynb",
        "02-accept.ipynb",
        "03-send.ipynb",
        "04-close.ipynb",
        "05-errors.ipynb",
        "06-real-clients.ipynb",
        "06b-OPTIONAL-scripts-and-browser.ipynb",
    ]


def test_a_chapter_that_would_talk_over_the_network_stops_the_build(
    build_lite: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook(tmp_path, "x = 1", "from cfws_playground import connect, serve\nimport websockets")
    monkeypatch.setattr(build_lite, "NOTEBOOKS", tmp_path)
    with pytest.raises(SystemExit, match=r"99-probe.ipynb \(imports cfws_playground.serve, websockets\)"):
        build_lite.chapters()
    # The same imports in a cell that says why it cannot run in the browser: the chapter goes in.
    notebook(tmp_path, "x = 1", "# LITE_SKIP: it listens on a port.\nfrom cfws_playground import serve")
    assert [p.name for p in build_lite.chapters()] == ["99-probe.ipynb"]


def test_the_pictures_a_chapter_shows_go_into_the_site(build_lite: ModuleType) -> None:
    assert (ROOT / "notebooks" / "topology.svg") in build_lite.linked_files(build_lite.chapters())


def test_network_imports_are_found_in_any_spelling(build_lite: ModuleType, tmp_path: Path) -> None:
    find = build_lite.network_imports
    assert find(notebook(tmp_path, "from cfws_playground import Response, serve, settle")) == [
        "cfws_playground.serve"
    ]
    assert find(notebook(tmp_path, "import asyncio\nimport websockets")) == ["websockets"]
    assert find(notebook(tmp_path, "%run -i solutions/x.py\nawait settle()\nimport urllib.request")) == [
        "urllib.request"
    ]
    assert find(notebook(tmp_path, "async with x:\n    import websockets")) == ["websockets"]
    # In-process only: a local function called serve, connect(worker), settle.
    clean = "from cfws_playground import connect, settle\ndef serve(s):\n    ...\nawait connect(serve)"
    assert find(notebook(tmp_path, clean)) == []


def test_the_chapter_that_compares_with_workerd_runs_in_the_browser(build_lite: ModuleType) -> None:
    # The kit orders events itself through asyncio's public API, on Pyodide's WebLoop as on CPython.
    assert ROOT / "notebooks" / "10-check-the-kit.ipynb" in build_lite.chapters()
    # Only its live-workerd cell stays out, shown with why.
    served = build_lite.for_the_browser(build_lite.joined(ROOT / "notebooks" / "10-check-the-kit.ipynb"))
    skipped = [c for c in served["cells"] if c["source"].startswith("# Not run in JupyterLite: ")]
    assert len(skipped) == 1
    assert "find_workerd()" in skipped[0]["source"] and "live=True" in skipped[0]["source"]
    assert skipped[0]["outputs"] == [] and skipped[0]["execution_count"] is None


def test_a_lite_skip_cell_is_shown_commented_out(build_lite: ModuleType, tmp_path: Path) -> None:
    source = "# LITE_SKIP: it starts a process.\nimport websockets\n\nprint(1)"
    path = notebook(tmp_path, "x = 1", source)
    assert build_lite.network_imports(path) == []  # a skipped cell never runs in the browser
    nb = build_lite.for_the_browser(build_lite.joined(path))
    kept, skipped = (c for c in nb["cells"] if c["cell_type"] == "code")
    assert kept["source"] == "x = 1"
    assert skipped["source"] == (
        "# Not run in JupyterLite: it starts a process.\n"
        "# In JupyterLab or on Binder it runs as it is:\n"
        "# import websockets\n#\n# print(1)"
    )
    compile(skipped["source"], "cell", "exec")  # runs, and does nothing
    assert build_lite.lite_skipped("x = 1\n  # LITE_SKIP: indented, so only a comment") is None
    with pytest.raises(SystemExit, match="must say why"):
        build_lite.lite_skipped("# LITE_SKIP:   \nprint(1)")


def test_the_site_gets_each_output_as_one_string(build_lite: ModuleType) -> None:
    """A list of lines in the file shows in JupyterLite joined with commas: the site gets strings."""
    path = ROOT / "notebooks" / "01-pairs.ipynb"
    stored = json.loads(path.read_text(encoding="utf-8"))
    outputs = [o for c in stored["cells"] for o in c.get("outputs", [])]
    lists = [o["text"] for o in outputs if isinstance(o.get("text"), list)]
    assert any(len(text) > 1 for text in lists), "the chapter stores multi-line outputs as lists of lines"
    served = build_lite.joined(path)
    for cell, original in zip(served["cells"], stored["cells"], strict=True):
        assert isinstance(cell["source"], str) and cell["source"] == "".join(original["source"])
        for out, was in zip(cell.get("outputs", []), original.get("outputs", []), strict=True):
            if "text" in out:
                assert out["text"] == "".join(was["text"])


@pytest.mark.parametrize("name", ["08-capstone-chat.ipynb", "09-durable-objects.ipynb"])
def test_a_durable_object_chapter_leaves_out_only_its_socket_cell(build_lite: ModuleType, name: str) -> None:
    # Each shows its serve() + websockets cell, not run, and runs the same conversation
    # with in-process clients in the cell after the note that follows it.
    served = build_lite.for_the_browser(build_lite.joined(ROOT / "notebooks" / name))
    code = [c for c in served["cells"] if c["cell_type"] == "code"]
    skipped = [i for i, c in enumerate(code) if c["source"].startswith("# Not run in JupyterLite: ")]
    assert len(skipped) == 1, skipped
    cell = code[skipped[0]]
    assert "# async with serve(" in cell["source"] and "# import websockets" in cell["source"]
    assert cell["outputs"] == [] and cell["execution_count"] is None
    instead = code[skipped[0] + 1]["source"]
    assert "await connect(" in instead and "async with" not in instead and "import websockets" not in instead
    # The network imports live in the skipped cell alone, so the chapter is built.
    assert build_lite.network_imports(ROOT / "notebooks" / name) == []


#: What only a kernel with sockets can do: serve on 127.0.0.1, be a real client of a served Worker,
#: or check an answer against one (check_talk serves an echo Worker).
NETWORKED = (
    "serve(",
    "websockets",
    "urllib",
    "server.url",
    "server.http_url",
    "server.close",
    "browser.",
    "check_talk",
)


@pytest.mark.parametrize(
    ("name", "skipped", "in_process"),
    [
        ("06-real-clients.ipynb", 6, "async with await connect(fetch, recorder=rec) as ws:"),
        ("06b-OPTIONAL-scripts-and-browser.ipynb", 4, "asyncio.run(main())"),
    ],
)
def test_the_real_clients_chapters_leave_out_only_their_socket_cells(
    build_lite: ModuleType, name: str, skipped: int, in_process: str
) -> None:
    # Serving, a real client, the page's own WebSocket: shown, not run. The lessons that need
    # no socket (the fetch handler, the in-process client, asyncio.run(main())) run in the site.
    served = build_lite.for_the_browser(build_lite.joined(ROOT / "notebooks" / name))
    code = [c["source"] for c in served["cells"] if c["cell_type"] == "code"]
    shown = [s for s in code if s.startswith("# Not run in JupyterLite: ")]
    runs = [s for s in code if not s.startswith("# Not run in JupyterLite: ")]
    assert len(shown) == skipped, shown
    assert all(any(word in s for word in NETWORKED) for s in shown), shown
    assert not [s for s in runs if any(word in s for word in NETWORKED)]
    assert any(in_process in s for s in runs)
    assert any("async def fetch(request, env, ctx):" in s for s in runs)
    assert build_lite.network_imports(ROOT / "notebooks" / name) == []


def test_the_project_folders_a_chapter_loads_go_into_the_site(build_lite: ModuleType) -> None:
    folders = build_lite.project_folders()
    assert ROOT / "notebooks" / "08-chat-room" in folders  # chapter 08 loads it with load_project()
    assert all(p.is_dir() for p in folders)


def test_the_site_stores_what_its_kernel_reports_so_a_chapter_opens_unmodified(
    build_lite: ModuleType, tmp_path: Path
) -> None:
    # JupyterLab writes the kernel's spec and language_info into a notebook when the kernel
    # starts; the site's Pyodide kernel reports its own (not the CPython kernel the chapters
    # were regenerated with), so the site's copies store that.
    path = ROOT / "notebooks" / "04-close.ipynb"
    committed = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    assert committed["language_info"]["codemirror_mode"]["name"] == "ipython"  # CPython's ipykernel
    served = build_lite.for_the_browser(build_lite.joined(path))
    assert served["metadata"] == {
        "kernelspec": {"name": "python", "display_name": "Python (Pyodide)", "language": "python"},
        "language_info": {
            "codemirror_mode": {"name": "python", "version": 3},
            "file_extension": ".py",
            "mimetype": "text/x-python",
            "name": "python",
            "nbconvert_exporter": "python",
            "pygments_lexer": "ipython3",
            "version": "3.8",
        },
    }
    # Other metadata stays; each notebook gets its own copy.
    probe = json.loads(notebook(tmp_path, "x = 1").read_text())
    probe["metadata"]["tags"] = ["kept"]
    first = build_lite.for_the_browser(probe)
    assert first["metadata"]["tags"] == ["kept"] and first["metadata"]["kernelspec"]["name"] == "python"
    first["metadata"]["language_info"]["version"] = "changed"
    assert build_lite.LITE_LANGUAGE_INFO["version"] == "3.8"


def test_the_build_holds_the_stored_kernel_metadata_to_the_kernel_it_ships(
    build_lite: ModuleType, tmp_path: Path
) -> None:
    # The kernel extension's built script, as jupyterlite-pyodide-kernel 0.8.6 ships it (minified).
    shipped = (
        't.register({spec:{name:"python",display_name:"Python (Pyodide)",language:"python",argv:[]},'
        'create:async e=>{}});async kernelInfoRequest(){return{implementation:"pyodide",'
        'language_info:{codemirror_mode:{name:"python",version:3},file_extension:".py",'
        'mimetype:"text/x-python",name:"python",nbconvert_exporter:"python",'
        'pygments_lexer:"ipython3",version:"3.8"},protocol_version:"5.3"}}'
    )
    (tmp_path / "393.js").write_text(shipped)
    build_lite.check_kernel(tmp_path)
    # A kernel that reports another Python version: the notebooks would open modified.
    (tmp_path / "393.js").write_text(shipped.replace('version:"3.8"', 'version:"3.13"'))
    with pytest.raises(SystemExit, match="report the language_info the"):
        build_lite.check_kernel(tmp_path)
    (tmp_path / "393.js").write_text(shipped.replace("Python (Pyodide)", "Python 3.13 (Pyodide)"))
    with pytest.raises(SystemExit, match="report the kernelspec the"):
        build_lite.check_kernel(tmp_path)
