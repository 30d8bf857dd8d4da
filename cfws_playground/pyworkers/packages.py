"""A project's own packages: the ``dependencies`` of its ``pyproject.toml``.

``pywrangler`` vendors them into the Worker (Pyodide's builds of them, or pure
Python wheels). ``serve DIR`` runs the project in this interpreter instead, so
each must be installed *here*, from PyPI: :func:`missing` names those that are
not, and :func:`install` puts them in a folder of the project's own
(``DIR/.cfws-packages``, ``pip install --target``), which goes first on ``sys.path``
while the project runs. The SDK and pywrangler themselves are never needed.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

__all__ = ["PACKAGES_FOLDER", "declared", "install", "missing"]

#: Where ``--install-deps`` installs a project's packages.
PACKAGES_FOLDER = ".cfws-packages"

#: Distributions the kit stands in for (the SDK is installed with it; the others are tools).
_PROVIDED = frozenset({"workers-py", "workers-runtime-sdk", "webtypy", "pyodide-py", "pywrangler"})
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(root: Path) -> list[str]:
    """The requirement strings of ``[project] dependencies`` in ``root/pyproject.toml`` (none without one)."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError:
        return []
    deps = (data.get("project") or {}).get("dependencies") or []
    return [str(d) for d in deps if isinstance(d, str)]


def missing(root: Path) -> list[str]:
    """The declared requirements whose distribution is installed neither here nor in the project's folder."""
    local = root / PACKAGES_FOLDER
    paths = [str(local)] if local.is_dir() else []
    out = []
    for requirement in declared(root):
        match = _NAME.match(requirement)
        if match is None or _canonical(match.group(1)) in _PROVIDED:
            continue
        name = match.group(1)
        found = any(True for _ in importlib.metadata.distributions(name=name, path=paths)) if paths else False
        if not found:
            try:
                importlib.metadata.distribution(name)
            except importlib.metadata.PackageNotFoundError:
                out.append(requirement)
    return out


def install(root: Path, requirements: list[str]) -> None:
    """``pip install --target DIR/.cfws-packages`` the requirements.

    Raises:
        RuntimeError: pip failed; its last line says why.
    """
    target = root / PACKAGES_FOLDER
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), *requirements],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"pip exited with status {result.returncode}")
