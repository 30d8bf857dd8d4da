"""A project's own packages (pyproject.toml): checked before it runs, installed on request."""

from __future__ import annotations

import base64
import hashlib
import sys
import zipfile
from pathlib import Path

import pytest
from harness import http, served

from cfws_playground.pyworkers import ProjectError, load_project

ENTRY = """
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        import cfws_tiny_pkg

        return Response(cfws_tiny_pkg.GREETING)
"""


def _project(root: Path, dependencies: list[str]) -> Path:
    (root / "wrangler.toml").write_text('name = "deps"\nmain = "entry.py"\n')
    (root / "entry.py").write_text(ENTRY)
    listed = ", ".join(f'"{d}"' for d in dependencies)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "deps"\nversion = "0"\ndependencies = [{listed}]\n'
        '[dependency-groups]\ndev = ["workers-py"]\n'
    )
    return root


def _wheel(folder: Path) -> Path:
    """A one-module wheel, made here: installing it needs no network."""
    path = folder / "cfws_tiny_pkg-1.0-py3-none-any.whl"
    files = {
        "cfws_tiny_pkg.py": b'GREETING = "hello from a package of the project"\n',
        "cfws_tiny_pkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: cfws-tiny-pkg\nVersion: 1.0\n",
        "cfws_tiny_pkg-1.0.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("cfws_tiny_pkg-1.0.dist-info/RECORD,,")
    files["cfws_tiny_pkg-1.0.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def test_a_missing_package_is_named_with_the_command_that_installs_it(tmp_path: Path) -> None:
    root = _project(tmp_path, ["h11>=0.14", "cfws-no-such-package>=2", "workers-runtime-sdk"])
    with pytest.raises(ProjectError) as info:
        load_project(root)
    assert str(info.value) == (
        "pyproject.toml: the project needs cfws-no-such-package>=2, not installed here: run "
        f"`{Path(sys.executable).name} -m pip install 'cfws-no-such-package>=2'`, "
        "or serve with --install-deps"
    )


@pytest.mark.slow  # runs pip
async def test_install_deps_puts_them_in_a_folder_of_the_projects_own(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path)
    (tmp_path / "app").mkdir()
    root = _project(tmp_path / "app", [f"cfws-tiny-pkg @ {wheel.as_uri()}"])
    async with served(root, install_deps=True) as server:
        notes = server.project.notes  # type: ignore[attr-defined]
        assert notes[-1] == f"installed cfws-tiny-pkg @ {wheel.as_uri()} into .cfws-packages/"
        assert (await http(server, "/"))[2] == b"hello from a package of the project"
    assert (root / ".cfws-packages" / "cfws_tiny_pkg.py").is_file()
    sys.modules.pop("cfws_tiny_pkg", None)
    sys.path.remove(str((root / ".cfws-packages").resolve()))
