"""Compare the kit's Python Workers dialect with Pyodide in workerd: live, or against the references.

:func:`verify_python` runs Python scenarios on the kit and in Pyodide inside
real workerd (when both are installed) or reads the transcripts recorded with
the pinned versions, and returns the same :class:`~..compare.Comparison` as
the JS scenarios, printed the same way.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..compare import REFERENCES, Comparison, Result
from ..scenario import Config, config_key
from ..workerd import WORKERD_VERSION, WorkerdNotFound, find_workerd
from .kit import run_python_on_kit
from .library import PY_SCENARIOS, py_by_name
from .loader import PYODIDE_VERSION, PyodideServer, find_pyodide
from .scenario import PyScenario

__all__ = [
    "averify_python",
    "load_python_references",
    "python_references_path",
    "record_python_references",
    "verify_python",
]

Run = tuple[PyScenario, Config]


def python_references_path() -> Path:
    return REFERENCES / f"pyodide-{PYODIDE_VERSION}+workerd-{WORKERD_VERSION}.json"


def load_python_references() -> dict[str, Any]:
    """``{"workerd": ..., "pyodide": ..., "npm": ..., "transcripts": {scenario: {config: rows}}}``."""
    path = python_references_path()
    if not path.exists():
        return {"workerd": None, "pyodide": PYODIDE_VERSION, "npm": WORKERD_VERSION, "transcripts": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _select(scenarios: Iterable[PyScenario | str] | None, dates: Sequence[str] | None) -> list[Run]:
    chosen = [py_by_name(s) if isinstance(s, str) else s for s in scenarios] if scenarios else PY_SCENARIOS
    runs: list[Run] = []
    for sc in chosen:
        configs = tuple((d, ()) for d in dates) if dates else sc.configs
        runs.extend((sc, c) for c in configs)
    return runs


async def _run_kit(runs: list[Run]) -> list[list[str]]:
    return [await run_python_on_kit(sc.code, date, flags) for sc, (date, flags) in runs]


def _installed() -> tuple[Path, Path] | None:
    binary, pyodide = find_workerd(), find_pyodide()
    return (binary, pyodide) if binary is not None and pyodide is not None else None


def run_in_pyodide(runs: list[Run], binary: Path, pyodide: Path) -> tuple[list[list[str]], str]:
    """Every run in one workerd process (Pyodide loads once per configuration); rows and version."""
    configs = sorted({c for _, c in runs})
    with PyodideServer.start_python(binary, pyodide, configs) as server:
        rows = [server.run_python(sc.code, c) for sc, c in runs]
        return rows, server.version


def _compare(runs: list[Run], kit: list[list[str]], live: bool | None) -> Comparison:
    installed = _installed() if live is not False else None
    if live and installed is None:
        raise WorkerdNotFound(
            "no workerd and Pyodide here: run `cfws-playground verify --python --install` (needs npm)"
        )
    if installed is not None:
        wd, version = run_in_pyodide(runs, *installed)
        source = f"live Pyodide {PYODIDE_VERSION} in {version}"
    else:
        refs = load_python_references()
        table = refs["transcripts"]
        wd = [table.get(sc.name, {}).get(config_key(c)) for sc, c in runs]
        source = (
            f"recorded references (Pyodide {refs['pyodide']} in {refs.get('workerd') or 'none'}, "
            f"npm workerd {refs['npm']})"
        )
    results = [Result(sc, c, k, w) for (sc, c), k, w in zip(runs, kit, wd, strict=True)]
    return Comparison(results, source)


def verify_python(
    scenarios: Iterable[PyScenario | str] | None = None,
    *,
    dates: Sequence[str] | None = None,
    live: bool | None = None,
) -> Comparison:
    """Run Python scenarios on the kit and compare them with Pyodide in workerd.

    Args:
        scenarios: scenarios or their names (the whole Python library by default).
        dates: run at these compatibility dates instead of each scenario's own.
        live: True to require workerd and Pyodide here, False to use the recorded
            references only; None (default) runs live when both are installed.
    """
    runs = _select(scenarios, dates)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        kit = asyncio.run(_run_kit(runs))
    else:
        raise RuntimeError(
            "verify_python() runs its own event loop; in a notebook use `await averify_python(...)`"
        )
    return _compare(runs, kit, live)


async def averify_python(
    scenarios: Iterable[PyScenario | str] | None = None,
    *,
    dates: Sequence[str] | None = None,
    live: bool | None = None,
) -> Comparison:
    """:func:`verify_python` for a running event loop (a notebook cell)."""
    runs = _select(scenarios, dates)
    kit = await _run_kit(runs)
    if live is False or (live is None and _installed() is None):
        return _compare(runs, kit, False)
    return await asyncio.to_thread(_compare, runs, kit, live)


def record_python_references(binary: Path, pyodide: Path) -> Path:
    """Run every Python scenario in Pyodide on workerd and write the references file; its path."""
    runs = _select(None, None)
    rows, version = run_in_pyodide(runs, binary, pyodide)
    table: dict[str, dict[str, list[str]]] = {}
    for (sc, c), r in zip(runs, rows, strict=True):
        table.setdefault(sc.name, {})[config_key(c)] = r
    path = python_references_path()
    data = {"workerd": version, "pyodide": PYODIDE_VERSION, "npm": WORKERD_VERSION, "transcripts": table}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return path
