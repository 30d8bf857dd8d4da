"""Installing the pinned npm packages (workerd, pyodide) with npm: one installer for both.

npm here is a small script on PATH that records its arguments and lays out
what the real package would, so nothing is downloaded.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import pytest

from cfws_playground.fidelity.pyodide.loader import PYODIDE_VERSION, install_pyodide
from cfws_playground.fidelity.workerd import WORKERD_VERSION, WorkerdNotFound, install_workerd, npm_install

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the stand-in npm is a shell script")


def _fake_npm(bin_dir: Path, *, creates: str, status: int = 0) -> Path:
    """An ``npm`` that writes its arguments to ``npm.log`` and creates ``creates`` under --prefix."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    log = bin_dir / "npm.log"
    npm = bin_dir / "npm"
    npm.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        'while [ "$1" != "--prefix" ]; do shift; done; prefix="$2"\n'
        f'if [ {status} -ne 0 ]; then echo "npm ERR! 404 Not Found" >&2; exit {status}; fi\n'
        f'for f in {creates}; do mkdir -p "$(dirname "$prefix/$f")"; : > "$prefix/$f"; done\n'
    )
    npm.chmod(0o755)
    return log


def _package(prefix: Path) -> Path | None:
    path = prefix / "node_modules" / "pkg" / "index.js"
    return path if path.is_file() else None


def test_it_installs_into_the_prefix_and_returns_what_it_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_npm(tmp_path / "bin", creates="node_modules/pkg/index.js")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.defpath}")
    prefix = tmp_path / "cache" / "pkg-1.2.3"
    found = npm_install("pkg", "1.2.3", prefix, _package)
    assert found == prefix / "node_modules" / "pkg" / "index.js"
    assert (prefix / "package.json").read_text() == '{"private": true}\n'
    assert log.read_text().split() == [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefix",
        str(prefix),
        "pkg@1.2.3",
    ]
    # Installed already: npm is not run again.
    assert npm_install("pkg", "1.2.3", prefix, _package) == found
    assert len(log.read_text().splitlines()) == 1


def test_without_npm_it_says_what_is_needed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(WorkerdNotFound, match=r"installing pkg needs Node.js and npm .*npm is not on PATH"):
        npm_install("pkg", "1.2.3", tmp_path / "cache", _package)


def test_a_failed_install_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_npm(tmp_path / "bin", creates="", status=1)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.defpath}")
    with pytest.raises(WorkerdNotFound, match=r"npm install pkg@1\.2\.3 failed: npm ERR! 404 Not Found"):
        npm_install("pkg", "1.2.3", tmp_path / "cache", _package)


def test_an_install_without_the_expected_files_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_npm(tmp_path / "bin", creates="node_modules/other/index.js")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.defpath}")
    with pytest.raises(WorkerdNotFound, match=r"npm install pkg@1\.2\.3 failed"):
        npm_install("pkg", "1.2.3", tmp_path / "cache", _package)


@pytest.mark.skipif(
    (platform.system(), platform.machine()) not in (("Linux", "x86_64"), ("Linux", "aarch64")),
    reason="the stand-in lays out the Linux packages",
)
def test_workerd_and_pyodide_install_their_pinned_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plat = "linux-64" if platform.machine() == "x86_64" else "linux-arm64"
    pyodide_files = " ".join(
        f"node_modules/pyodide/{name}"
        for name in (
            "pyodide.mjs",
            "pyodide.asm.js",
            "pyodide.asm.wasm",
            "python_stdlib.zip",
            "pyodide-lock.json",
        )
    )
    log = _fake_npm(
        tmp_path / "bin", creates=f"node_modules/@cloudflare/workerd-{plat}/bin/workerd {pyodide_files}"
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.defpath}")
    monkeypatch.setenv("CFWS_PLAYGROUND_CACHE", str(tmp_path / "cache"))
    binary = install_workerd()
    folder = install_pyodide()
    assert (
        binary
        == tmp_path
        / "cache"
        / f"workerd-{WORKERD_VERSION}"
        / "node_modules"
        / "@cloudflare"
        / (f"workerd-{plat}")
        / "bin"
        / "workerd"
    )
    assert folder == tmp_path / "cache" / f"pyodide-{PYODIDE_VERSION}" / "node_modules" / "pyodide"
    assert [line.split()[-1] for line in log.read_text().splitlines()] == [
        f"workerd@{WORKERD_VERSION}",
        f"pyodide@{PYODIDE_VERSION}",
    ]
