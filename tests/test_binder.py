"""The Binder set-up in binder/, checked as far as a machine without Docker allows.

* the files say what Binder needs: a Python CI tests, the kit itself, the
  server proxy, and a postBuild that turns the news pop-up off;
* ``jupyter-repo2docker --no-build`` turns them into a Dockerfile without error;
* a fresh virtual environment built only from binder/requirements.txt (plus the
  test runner) and postBuild runs the workshop notebooks green under nbval.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import venv

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"


def requirements() -> list[str]:
    lines = (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_runtime_is_a_python_ci_tests() -> None:
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime == f"python-{sys.version_info.major}.{sys.version_info.minor}", (
        "binder/runtime.txt must name the Python this suite runs on (without it Binder uses 3.10)"
    )


def test_requirements_install_the_kit_and_the_proxy() -> None:
    reqs = requirements()
    assert reqs[0] in ("-e .", "."), "binder/ hides pyproject.toml from repo2docker: install the kit itself"
    names = {re.split(r"[=<>!~ ]", r, maxsplit=1)[0].lower() for r in reqs[1:]}
    assert "jupyter-server-proxy" in names
    assert "jupyterlab" in names and "ipykernel" in names


def test_postbuild_turns_off_the_news_popup() -> None:
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "postBuild must be executable"
    assert "overrides.json" in post.read_text(encoding="utf-8")
    settings = json.loads((BINDER / "overrides.json").read_text(encoding="utf-8"))
    assert settings["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_postbuild_installs_the_pinned_workerd_for_verify() -> None:
    text = (BINDER / "postBuild").read_text(encoding="utf-8")
    assert "cfws-playground verify --install" in text


def test_readme_badge_opens_the_start_notebook() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"\(https://mybinder\.org/v2/gh/[^)\s]+\?urlpath=([^)\s]+)\)", readme)
    assert m, "README needs a Binder badge"
    target = m.group(1).replace("%2F", "/")
    assert target == "lab/tree/notebooks/00-start-here.ipynb"
    assert (ROOT / "notebooks" / "00-start-here.ipynb").exists()


def _repo2docker() -> str:
    exe = shutil.which("jupyter-repo2docker", path=str(pathlib.Path(sys.executable).parent))
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("jupyter-repo2docker is missing: install the test extra")
        pytest.skip("jupyter-repo2docker is not installed (pip install -e '.[test]')")
    return exe


@pytest.mark.timeout(300)
def test_repo2docker_generates_the_dockerfile() -> None:
    result = subprocess.run(
        [
            _repo2docker(),
            "--no-build",
            "--no-run",
            "--debug",
            "--user-id",
            "1000",
            "--user-name",
            "jovyan",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert f"python={py}" in out, out[-3000:]
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in out
    # `-e .` needs the whole repository: the install must come after it is copied in.
    assert out.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/") < out.index('binder/requirements.txt"')
    assert "RUN ./binder/postBuild" in out


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_a_fresh_env_from_binder_requirements_runs_the_notebooks(tmp_path: pathlib.Path) -> None:
    env_dir = tmp_path / "binder-env"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # What repo2docker runs, from the repository root (`-e .` is relative to it).
    subprocess.run(
        [py, "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=1200,
    )
    # Only the test runner on top: nothing else from the project's own environment.
    subprocess.run(
        [py, "-m", "pip", "install", "-q", "pytest", "nbval"], cwd=ROOT, env=env, check=True, timeout=600
    )
    subprocess.run(
        ["bash", "binder/postBuild"],
        cwd=ROOT,
        env=dict(env, NB_PYTHON_PREFIX=str(env_dir)),
        check=True,
        timeout=60,
    )
    assert (env_dir / "share/jupyter/lab/settings/overrides.json").exists()
    # An empty config file: the project's pytest settings name plugins this env lacks.
    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    result = subprocess.run(
        [
            py,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(ini),
            "--rootdir",
            str(ROOT),
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with=tests/nbval_sanitize.cfg",
            "--nbval-cell-timeout=120",
            "notebooks/",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout)
