"""Compare the kit with workerd: live, or against the recorded references.

:func:`verify` runs scenarios on the kit and on real workerd (when a binary is
there) or reads workerd's transcripts from the references recorded with the
pinned version, and returns a :class:`Comparison`: printable side by side,
with the differing rows marked and a summary line.
"""

from __future__ import annotations

import asyncio
import difflib
import html
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .durable import run_durable_on_kit, run_durable_wire_on_kit
from .kit import run_on_kit
from .library import SCENARIOS, by_name
from .scenario import Config, Scenario, config_key
from .wire import run_wire_on_kit
from .workerd import WORKERD_VERSION, WorkerdNotFound, WorkerdServer, find_workerd

if TYPE_CHECKING:
    from .pyodide.scenario import PyScenario

__all__ = ["Comparison", "Result", "load_references", "record_references", "references_path", "verify"]

REFERENCES = Path(__file__).parent / "references"


def references_path(version: str = WORKERD_VERSION) -> Path:
    return REFERENCES / f"workerd-{version}.json"


def load_references(version: str = WORKERD_VERSION) -> dict[str, Any]:
    """The recorded transcripts: ``{"workerd": ..., "transcripts": {scenario: {config: rows}}}``."""
    path = references_path(version)
    if not path.exists():
        return {"workerd": None, "npm": version, "transcripts": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Result:
    """One scenario (a JS scenario, or a Python one) under one configuration."""

    scenario: Scenario | PyScenario
    config: Config
    kit: list[str]
    workerd: list[str] | None  # None: no reference recorded and no live workerd

    @property
    def status(self) -> str:
        """``"same"``, ``"deliberate"`` (differs as the README lists), ``"differs"`` or ``"missing"``."""
        if self.workerd is None:
            return "missing"
        if self.kit == self.workerd:
            return "same"
        return "deliberate" if self.scenario.deliberate else "differs"

    def rows(self) -> Iterator[tuple[bool, str, str]]:
        """The two transcripts aligned: ``(same, kit row, workerd row)``, ``""`` where one has none."""
        left, right = self.kit, self.workerd or []
        sm = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal":
                yield from ((True, row, row) for row in left[i1:i2])
                continue
            a, b = left[i1:i2], right[j1:j2]
            for k in range(max(len(a), len(b))):
                yield False, a[k] if k < len(a) else "", b[k] if k < len(b) else ""

    def side_by_side(self, width: int = 60) -> str:
        """The two transcripts in columns; ``!`` marks a row that differs."""
        out = [f"{'kit':<{width}}   workerd"]
        for same, x, y in self.rows():
            out.append(f"  {x[:width]:<{width}} = " if same else f"! {x[:width]:<{width}} | {y}")
        return "\n".join(out)


class Comparison:
    """What :func:`verify` found: one :class:`Result` per scenario and configuration."""

    def __init__(self, results: list[Result], source: str, workerd: str | None = None) -> None:
        self.results = results
        self.source = source  # "live workerd ..." or "recorded references ..."
        self.workerd = workerd  # "workerd 2026-11-23": the runtime every transcript came from

    @property
    def differing(self) -> list[Result]:
        return [r for r in self.results if r.status == "differs"]

    @property
    def ok(self) -> bool:
        """True when every result is the same as workerd's, or differs deliberately."""
        return not self.differing and all(r.status != "missing" for r in self.results)

    def summary(self) -> str:
        names = {r.scenario.name for r in self.results}
        bad = {r.scenario.name for r in self.differing}
        deliberate = {r.scenario.name for r in self.results if r.status == "deliberate"}
        missing = {r.scenario.name for r in self.results if r.status == "missing"}
        parts = [
            f"{_count(len(names), 'scenario')}, {_count(len(self.results), 'run')} against {self.source}:",
            f"{len(bad)} differ",
            f"{len(deliberate)} differ deliberately (README)",
        ]
        if missing:
            parts.append(f"{len(missing)} have no reference")
        return ", ".join(parts[:1]) + " " + ", ".join(parts[1:]) + "."

    def text(self, *, all_rows: bool = False) -> str:
        """Each differing (or, with ``all_rows``, every) result side by side, then the summary."""
        blocks = []
        for r in self.results:
            if all_rows or r.status in ("differs", "deliberate", "missing"):
                head = f"── {r.scenario.name} [{self.run_label(r.config)}] {r.status}"
                if r.status == "deliberate":
                    head += f": {r.scenario.deliberate}"
                body = r.side_by_side() if r.workerd is not None else "no workerd transcript"
                blocks.append(head + "\n" + body)
        blocks.append(self.summary())
        return "\n\n".join(blocks)

    def run_label(self, config: Config) -> str:
        """What a transcript ran under: the workerd version, the date and the flags."""
        date, flags = config
        return f"{self.workerd or 'workerd'}, date {date}, flags: {', '.join(flags) or 'none'}"

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        rows = []
        for r in self.results:
            color = {"same": "#e8f5e9", "deliberate": "#fff8e1", "differs": "#ffebee", "missing": "#eeeeee"}
            detail = html.escape(r.side_by_side()) if r.status != "same" else ""
            rows.append(
                f'<tr style="background:{color[r.status]}"><td>{html.escape(r.scenario.name)}</td>'
                f"<td>{html.escape(self.run_label(r.config))}</td><td>{r.status}</td>"
                f"<td><pre style='margin:0'>{detail}</pre></td></tr>"
            )
        return (
            "<table><tr><th>scenario</th><th>config</th><th>status</th><th>rows (kit | workerd)</th></tr>"
            + "".join(rows)
            + f"</table><p>{html.escape(self.summary())}</p>"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _select(
    scenarios: Iterable[Scenario | str] | None, dates: Sequence[str] | None, flags: Sequence[str] | None
) -> list[tuple[Scenario, Config]]:
    chosen = [by_name(s) if isinstance(s, str) else s for s in scenarios] if scenarios else list(SCENARIOS)
    runs: list[tuple[Scenario, Config]] = []
    for sc in chosen:
        configs = sc.configs
        if dates or flags:
            configs = tuple((d, tuple(flags or ())) for d in (dates or sorted({c[0] for c in sc.configs})))
        runs.extend((sc, c) for c in configs)
    return runs


async def _run_kit(runs: list[tuple[Scenario, Config]]) -> list[list[str]]:
    out = []
    for sc, (date, flags) in runs:
        if sc.durable and sc.wire:
            out.append(await run_durable_wire_on_kit(sc.ops, sc.client_ops, sc.client_options, date, flags))
        elif sc.durable:
            out.append(await run_durable_on_kit(sc.ops, date, flags, sqlite=sc.sqlite))
        elif sc.wire:
            out.append(await run_wire_on_kit(sc.ops, sc.client_ops, sc.client_options, date, flags))
        else:
            out.append(await run_on_kit(sc.ops, date, flags))
    return out


def _run_workerd(server: WorkerdServer, sc: Scenario, config: Config) -> list[str]:
    if sc.wire:
        return server.run_wire(sc.ops, sc.client_ops, sc.client_options, config, durable=sc.durable)
    return server.run(sc.ops, config, durable=sc.durable, sqlite=sc.sqlite)


def _kit_transcripts(runs: list[tuple[Scenario, Config]]) -> list[list[str]]:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_run_kit(runs))
    raise RuntimeError("verify() runs its own event loop; in a notebook use `await averify(...)`")


def verify(
    scenarios: Iterable[Scenario | str] | None = None,
    *,
    dates: Sequence[str] | None = None,
    flags: Sequence[str] | None = None,
    live: bool | None = None,
) -> Comparison:
    """Run scenarios on the kit and compare them with workerd.

    Args:
        scenarios: scenarios or their names (all of the library by default).
        dates, flags: run under these instead of each scenario's own configurations.
        live: True to require a local workerd, False to use the recorded
            references only; None (default) uses workerd when it is installed.
    """
    runs = _select(scenarios, dates, flags)
    return _compare(runs, _kit_transcripts(runs), live)


async def averify(
    scenarios: Iterable[Scenario | str] | None = None,
    *,
    dates: Sequence[str] | None = None,
    flags: Sequence[str] | None = None,
    live: bool | None = None,
) -> Comparison:
    """:func:`verify` for a running event loop (a notebook cell: ``await averify(...)``)."""
    runs = _select(scenarios, dates, flags)
    kit = await _run_kit(runs)
    if live is False or (live is None and find_workerd() is None):
        return _compare(runs, kit, False)  # references only: no thread needed (none in a browser kernel)
    return await asyncio.to_thread(_compare, runs, kit, live)


def _compare(runs: list[tuple[Scenario, Config]], kit: list[list[str]], live: bool | None) -> Comparison:
    binary = find_workerd() if live is not False else None
    if live and binary is None:
        raise WorkerdNotFound(
            "no workerd binary: run `cfws-playground verify --install` (needs Node.js and npm)"
        )
    if binary is not None:
        configs = sorted({c for _, c in runs})
        with WorkerdServer.start(binary, configs) as server:
            wd = [_run_workerd(server, sc, c) for sc, c in runs]
            source = f"live {server.version}"
            version: str | None = server.version
    else:
        refs = load_references()
        table = refs["transcripts"]
        wd = [table.get(sc.name, {}).get(config_key(c)) for sc, c in runs]
        source = f"recorded references ({refs.get('workerd') or 'none'}, npm workerd {refs['npm']})"
        version = refs.get("workerd")
    results = [Result(sc, c, k, w) for (sc, c), k, w in zip(runs, kit, wd, strict=True)]
    return Comparison(results, source, version)


def record_references(binary: Path, names: Sequence[str] | None = None) -> Path:
    """Run scenarios on workerd and write the references file; return its path.

    ``names``: only these scenarios (others keep their recorded transcripts);
    every scenario by default.
    """
    runs = _select(names, None, None)
    configs = sorted({c for _, c in runs})
    table: dict[str, dict[str, list[str]]] = {}
    if names:
        old = load_references()
        if old.get("npm") == WORKERD_VERSION:
            table = {k: v for k, v in old["transcripts"].items() if k not in set(names)}
    with WorkerdServer.start(binary, configs) as server:
        for sc, c in runs:
            table.setdefault(sc.name, {})[config_key(c)] = _run_workerd(server, sc, c)
        version = server.version
    path = references_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"workerd": version, "npm": WORKERD_VERSION, "transcripts": table}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return path
