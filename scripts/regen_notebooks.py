#!/usr/bin/env python3
"""Regenerate the stored outputs of every workshop notebook, deterministically.

Usage (from the repository root)::

    .venv/bin/python scripts/regen_notebooks.py                 # rewrite notebooks/*.ipynb in place
    .venv/bin/python scripts/regen_notebooks.py --out DIR       # write the results to DIR instead
    .venv/bin/python scripts/regen_notebooks.py notebooks/03-send.ipynb

Each notebook runs top to bottom in a fresh ``python3`` kernel (this
interpreter's ipykernel), with the notebook's folder as working directory, as
nbval runs it. Outputs are the only thing nbval compares, so they must come
from here, never from a notebook saved in JupyterLab (which also keeps late
output from callbacks that nbval never sees).

What is normalised, so that two runs give identical files:

* timing metadata is not recorded, and ``execution``/``collapsed``/``scrolled``
  cell metadata is dropped;
* consecutive pieces of one stream are one output (where the kernel cut them depends
  on when it flushed);
* notebook metadata is reduced to the ``python3`` kernelspec and the ``language_info`` the
  kernel reported. JupyterLab writes its kernel's ``language_info`` into a notebook as soon
  as the kernel starts, and a notebook whose stored one differs (a bare language name, or
  another Python version) shows as modified the moment it opens. Regenerate with the
  workshop's Python (``binder/runtime.txt``) so that a chapter opens unmodified there;
* cell ids are ``<NN>-<index>``, stable across edits elsewhere in the file;
* a displayed widget keeps its text form only (its view names a random model id).

What is derived, so that it survives every regeneration:

* a code cell answers a prediction when the markdown above it asks for one
  ("Predict ..." or "predict: ..."), up to the next markdown cell; such a cell is tagged
  ``predict`` and its stored output is collapsed
  (``metadata.jupyter.outputs_hidden``, honoured by JupyterLab and Notebook 7),
  so opening a chapter shows the question and not its answer. Running the cell
  shows the output.

Cells tagged ``raises-exception`` may raise; any other error stops the script.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import sys
import tempfile

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def workshop_notebooks() -> list[pathlib.Path]:
    """The numbered notebooks, in order (``06b-…`` after ``06-…``)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]*-*.ipynb"), key=lambda p: p.stem.split("-")[0])


#: A question to the learner ("Predict ...", "predict: ..."), not a goal ("- predict what ...").
PREDICT = re.compile(r"\bPredict\b|\bpredict:")


def predict_cells(nb: nbformat.NotebookNode) -> set[int]:
    """Indexes of the code cells whose output answers a "predict" question above them."""
    found: set[int] = set()
    asking = False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            asking = bool(PREDICT.search(cell.source))
        elif cell.cell_type == "code" and asking:
            found.add(i)
    return found


def mark_predictions(nb: nbformat.NotebookNode) -> None:
    """Tag every prediction cell ``predict`` and collapse its stored output; clear the rest."""
    predicting = predict_cells(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = [t for t in cell.metadata.get("tags", []) if t != "predict"]
        jupyter = dict(cell.metadata.get("jupyter", {}))
        jupyter.pop("outputs_hidden", None)
        if i in predicting:
            tags.append("predict")
            jupyter["outputs_hidden"] = True
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
        if jupyter:
            cell.metadata["jupyter"] = nbformat.NotebookNode(jupyter)
        else:
            cell.metadata.pop("jupyter", None)


def coalesce_streams(outputs: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """One output for each run of same-stream text: how the kernel cut it depends on when it
    flushed (every 0.2 s while a cell waits), so the cut would differ between runs."""
    merged: list[nbformat.NotebookNode] = []
    for out in outputs:
        previous = merged[-1] if merged else None
        if (
            out.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == out.name
        ):
            previous.text = "".join(previous.text) + "".join(out.text)
        else:
            merged.append(out)
    return merged


def normalise(nb: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    language = nb.metadata.get("language_info") or {"name": "python"}
    nb.metadata = nbformat.NotebookNode(
        kernelspec=nbformat.NotebookNode(KERNELSPEC), language_info=nbformat.from_dict(language)
    )
    for i, cell in enumerate(nb.cells):
        cell.id = f"{stem[:2]}-{i:02d}"
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
            for out in cell.outputs:
                # A widget's view names a model by a random id, and the models are not
                # stored (notebook metadata is reset above), so the view could never
                # render from the file: keep the widget's text form only.
                if "data" in out:
                    out.data.pop(WIDGET_VIEW, None)
                if "metadata" in out and not out.metadata:
                    out.metadata = nbformat.NotebookNode()
    mark_predictions(nb)
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def execute(path: pathlib.Path, timeout: int = 120) -> nbformat.NotebookNode:
    """Run ``path`` in a fresh kernel and return the normalised notebook."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nb = normalise(nb, path.stem)
    nbformat.validate(nb)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path, help="default: every chapter")
    parser.add_argument("--out", type=pathlib.Path, help="write here instead of in place")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or workshop_notebooks()
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    # Deterministic hashing and no user-level IPython start-up files.
    os.environ.setdefault("PYTHONHASHSEED", "0")
    # Outputs never depend on whether this machine has a workerd binary (chapter 10 runs
    # live only where one is installed): the kernels see none.
    for var in ("CFWS_WORKERD", "MINIFLARE_WORKERD_PATH"):
        os.environ.pop(var, None)
    os.environ["CFWS_PLAYGROUND_CACHE"] = tempfile.mkdtemp(prefix="cfws-regen-")
    for path in paths:
        nb = execute(path)
        target = (args.out / path.name) if args.out else path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(nb), encoding="utf-8")
        print(f"regenerated {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
