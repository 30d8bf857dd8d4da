"""The scenario library in the browser kernel: the same code, run there and here, must agree.

Every scenario that runs in one process (in-worker ones, and Durable Object ones
on the kit's side; wire scenarios need a real client over a socket) runs on the
kit under each of its configurations and is compared with the committed workerd
references. ``CODE`` does it and returns, per scenario, a digest of the kit's
transcripts and the comparison's statuses. The JupyterLite test runs ``CODE`` in
a notebook (:func:`write_notebook`) inside Pyodide's WebLoop; :func:`native`
runs the very same text here, on CPython's asyncio.

::

    here = native()      # {scenario: {"digest": ..., "statuses": [...], "rows": {config: rows}}}
    write_notebook(tmp / "scenario_library.ipynb", here)   # a site's --extra notebook
    brief, rows = parse(stdout_of_the_two_cells)
    # brief: {scenario: {"digest", "statuses"}} from the browser; rows: the browser's
    # transcripts of each scenario whose digest is not the native one
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

__all__ = ["CODE", "NAME", "native", "parse", "write_notebook"]

NAME = "scenario_library.ipynb"
#: The lines the notebook prints before its JSON: every scenario in brief, then the rows of those
#: whose digest is not the one computed natively.
MARK = "scenario-library:"
ROWS = "scenario-rows:"

CODE = '''
import hashlib
import json

from cfws_playground.fidelity import SCENARIOS, averify


async def scenario_library():
    """Per in-process scenario: a digest of the kit's transcripts, and the statuses."""
    in_process = [s for s in SCENARIOS if not s.wire]
    comparison = await averify(in_process, live=False)
    found = {}
    for r in comparison.results:
        entry = found.setdefault(r.scenario.name, {"rows": {}, "statuses": []})
        entry["rows"]["+".join((r.config[0], *r.config[1]))] = r.kit
        entry["statuses"].append(r.status)
    for entry in found.values():
        text = json.dumps(entry["rows"], sort_keys=True, ensure_ascii=False)
        entry["digest"] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return found
'''

#: The notebook's cell: the digests and statuses only (the rows stay in the kernel, for a look).
CELL = (
    CODE
    + """
library = await scenario_library()
brief = {name: {"digest": e["digest"], "statuses": e["statuses"]} for name, e in library.items()}
print("""
    + repr(MARK)
    + """, json.dumps(brief, sort_keys=True))
"""
)


def write_notebook(path: Path, here: dict[str, Any]) -> Path:
    """The fixture notebook: ``CELL``, then a cell printing the rows that differ from ``here``'s."""
    digests = {name: entry["digest"] for name, entry in here.items()}
    rows_cell = (
        f"native = json.loads({json.dumps(json.dumps(digests, sort_keys=True))})\n"
        "other = {n: e['rows'] for n, e in library.items() if e['digest'] != native.get(n)}\n"
        f"print({ROWS!r}, json.dumps(other, sort_keys=True, ensure_ascii=False))\n"
    )
    cells = [
        {
            "cell_type": "markdown",
            "id": "about",
            "metadata": {},
            "source": "# The scenario library in this kernel\n\nA fixture for the browser test.",
        },
        {
            "cell_type": "code",
            "id": "library",
            "metadata": {},
            "source": CELL.strip() + "\n",
            "outputs": [],
            "execution_count": None,
        },
        {
            "cell_type": "code",
            "id": "rows",
            "metadata": {},
            "source": rows_cell,
            "outputs": [],
            "execution_count": None,
        },
    ]
    metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    path.write_text(json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}))
    return path


def native() -> dict[str, Any]:
    """``CODE`` run here, on CPython's asyncio (full rows included)."""
    namespace: dict[str, Any] = {}
    exec(CODE, namespace)  # the notebook's own text, so both sides run the same code
    found: dict[str, Any] = asyncio.run(namespace["scenario_library"]())
    return found


def parse(stdout: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The browser's results from the cells' printed lines: (brief, rows that differ from native)."""

    def line(mark: str) -> Any:
        (found,) = [x for x in stdout.splitlines() if x.startswith(mark + " ")]
        return json.loads(found[len(mark) + 1 :])

    return line(MARK), line(ROWS)
