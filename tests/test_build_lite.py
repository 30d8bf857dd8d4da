"""scripts/build_lite.py without a build: which chapters go to the browser, what stands in for the rest."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from cfws_playground._platform import NEEDS_NETWORK

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


def test_chapters_that_talk_over_the_network_are_left_out(build_lite: ModuleType) -> None:
    included, left_out = build_lite.chapters()
    names = [p.name for p in included]
    assert names[:6] == [
        "00-start-here.ipynb",
        "01-pairs.ipynb",
        "02-accept.ipynb",
        "03-send.ipynb",
        "04-close.ipynb",
        "05-errors.ipynb",
    ]
    assert "07-compatibility-dates.ipynb" in names
    # The Durable Object chapters run on in-process clients; only their serve() cells stay out.
    assert {"08-capstone-chat.ipynb", "09-durable-objects.ipynb"} <= set(names)
    assert "serve" in left_out["06-real-clients.ipynb"] and "websockets" in left_out["06-real-clients.ipynb"]
    every = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]*-*.ipynb"))
    assert "06b-OPTIONAL-scripts-and-browser.ipynb" in every
    assert sorted(names + list(left_out)) == every, "every chapter is built or left out with a reason"


def test_the_pictures_a_chapter_shows_go_into_the_site(build_lite: ModuleType) -> None:
    included, _ = build_lite.chapters()
    assert (ROOT / "notebooks" / "topology.svg") in build_lite.linked_files(included)


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


def test_a_left_out_chapter_becomes_a_page_that_says_why(build_lite: ModuleType, tmp_path: Path) -> None:
    assert build_lite.NEEDS_NETWORK == NEEDS_NETWORK  # the same words as serve() in the browser
    stand_in = build_lite.placeholder(notebook(tmp_path, "import websockets", title="# Real clients"))
    (cell,) = stand_in["cells"]
    text = "".join(cell["source"])
    assert text.startswith("# Real clients\n")
    assert NEEDS_NETWORK.lower() in text.lower()
    # It opens in the site's kernel too: unmodified, as the chapters do.
    assert stand_in["metadata"] == {
        "kernelspec": build_lite.LITE_KERNELSPEC,
        "language_info": build_lite.LITE_LANGUAGE_INFO,
    }


def test_the_chapter_that_compares_with_workerd_runs_in_the_browser(build_lite: ModuleType) -> None:
    # The kit orders events itself through asyncio's public API, on Pyodide's WebLoop as on CPython.
    included, left_out = build_lite.chapters()
    assert ROOT / "notebooks" / "10-check-the-kit.ipynb" in included
    assert "10-check-the-kit.ipynb" not in left_out
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
