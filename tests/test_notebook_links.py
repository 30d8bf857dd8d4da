"""The chapters' links, checked offline: where each may point, and a "For more" at every chapter's end.

Nothing is fetched (the tests run without a network). A link to the web must use
https and a host on the list below, each a primary source for this workshop: a
Cloudflare docs page, workerd's source or issues, a standard, or the documentation
of a library the kit uses. A relative link must name a file beside the chapters,
and an anchor in a chapter a heading it has.
"""

from __future__ import annotations

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]*-*.ipynb"))

#: Hosts a chapter may link to, and what it finds there.
HOSTS = {
    "developers.cloudflare.com": "Cloudflare's documentation",
    "github.com": "workerd's source and issues (cloudflare/ only)",
    "developer.mozilla.org": "the WebSocket API as browsers implement it",
    "www.rfc-editor.org": "RFC 6455",
    "websockets.readthedocs.io": "the websockets library the bridge uses",
    "jupyter-server-proxy.readthedocs.io": "how Binder reaches the kernel's ports",
    "pyodide.org": "Pyodide, which runs Python Workers",
}
LINK = re.compile(r"\]\(([^)\s]+)\)")
#: The sections a chapter ends with, after "For more".
CLOSING = re.compile(r"^## (Check yourself|Glossary)\b|^Next: ", re.MULTILINE)


def markdown(path: pathlib.Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def headings(path: pathlib.Path) -> set[str]:
    """Anchors JupyterLab gives a chapter's headings (the heading's text, spaces as dashes)."""
    found = set()
    for text in markdown(path):
        for line in text.splitlines():
            if line.startswith("#"):
                found.add(line.lstrip("#").strip().replace(" ", "-"))
    return found


def test_there_are_chapters() -> None:
    assert len(CHAPTERS) >= 12


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_link_points_where_it_may(path: pathlib.Path) -> None:
    wrong = []
    for text in markdown(path):
        for target in LINK.findall(text):
            if "://" in target:
                scheme, _, rest = target.partition("://")
                host = rest.split("/")[0]
                if scheme != "https" or host not in HOSTS:
                    wrong.append(f"{target}: not https on a listed host")
                elif host == "github.com" and not rest.startswith("github.com/cloudflare/"):
                    wrong.append(f"{target}: github.com links go to cloudflare/ repositories")
                elif host == "github.com" and not re.fullmatch(
                    r"github\.com/cloudflare/[\w.-]+(/(issues|pull)/\d+|/blob/main/\S+)?", rest
                ):
                    wrong.append(f"{target}: a repository, an issue, a pull request or a file on main")
                continue
            name, _, anchor = target.partition("#")
            file = NOTEBOOKS / name
            if not file.is_file():
                wrong.append(f"{target}: no such file beside the chapters")
            elif anchor and file.suffix == ".ipynb" and anchor not in headings(file):
                wrong.append(f"{target}: {name} has no heading {anchor!r}")
    assert not wrong, wrong


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_ends_with_links_for_more(path: pathlib.Path) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells]
    (at,) = [i for i, s in enumerate(sources) if s.startswith("## For more")]
    links = LINK.findall(sources[at])
    assert links and all(link.startswith("https://") for link in links), sources[at]
    # After it, only the closing sections: no code, no new topic.
    for cell, text in zip(cells[at + 1 :], sources[at + 1 :], strict=True):
        assert cell["cell_type"] == "markdown" and CLOSING.search(text), (path.name, text[:80])
