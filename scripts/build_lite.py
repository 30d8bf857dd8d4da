"""Build the workshop as a JupyterLite site: the chapters run in the learner's browser, no server.

::

    python3 scripts/build_lite.py                 # -> _site/ (serve it with python3 -m http.server)
    python3 scripts/build_lite.py --output public --cache ~/.cache/cfws-lite

What goes in:

- every chapter, ``checks.py`` and ``solutions/``. A code cell that cannot run
  in the browser (it listens on a port, opens a TCP connection, starts a live
  workerd) carries a line ``# LITE_SKIP: why``: the site shows it commented out
  under that note, and the rest of its chapter runs. A chapter is never left
  out whole: the build fails when a cell that is not skipped imports
  ``serve`` or ``bridge`` from the kit, ``websockets`` or ``urllib.request``,
  and names the chapter and the import; the project folders the chapters load
  (``08-chat-room/``);
- a wheel of the kit built from this checkout;
- Pyodide's core from the npm package ``pyodide`` at the version the kernel
  expects, and every wheel the kernel and the kit need, from PyPI at pinned
  versions, listed in the site's own ``pyodide-lock.json`` and preloaded when
  the kernel starts — so a chapter runs with no install cell.

Build time fetches only PyPI and npm packages, into ``--cache`` (reused by the
next build). Run time fetches nothing from any host: the kernel, its packages
and the notebooks all come from the site itself. The build checks that and
fails otherwise.

The build runs in its own virtual environment under the cache (JupyterLite's
packages are kept out of the kit's environment: their JupyterLab extension
logs errors in a regular JupyterLab).
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import venv
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

__all__ = [
    "build",
    "chapters",
    "check_kernel",
    "for_the_browser",
    "lite_skipped",
    "main",
    "network_imports",
    "project_folders",
]

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

#: The JupyterLite build and the front-end extensions copied into the site.
BUILD_REQUIREMENTS = [
    "jupyterlite-core==0.8.6",
    "jupyterlite-pyodide-kernel==0.8.6",
    "jupyter-server==2.21.1",  # `jupyter lite build` needs jupyter_server and jupyterlab_server
    "jupyterlab-server==2.28.1",
    "jupyterlab-widgets==3.0.17",  # the widget manager extension
    "anywidget==0.11.0",  # anywidget's extension (the kit's widgets)
    "packaging==26.4",  # reads the wheels' requirements below
]
#: The Pyodide the kernel of jupyterlite-pyodide-kernel 0.8.6 expects (its PYODIDE_VERSION).
PYODIDE_VERSION = "314.0.6"
PYODIDE_PYTHON = "3.14"
#: Wheels the kit needs that Pyodide's lock does not list, pinned (pure py3-none-any wheels).
EXTRA_WHEELS = {
    "comm": "0.2.3",
    "ipywidgets": "8.1.9",
    "jupyterlab-widgets": "3.0.17",
    "anywidget": "0.11.0",
    "psygnal": "0.16.1",
    "websockets": "17.4",
    "h11": "0.16.0",  # the bridge's HTTP layer (imported with the package, used only by serve())
    "ipython-pygments-lexers": "1.1.1",
    # Cloudflare's Python Workers SDK (`from workers import ...`), which the kit's dialect runs on
    # its own `js` layer (chapters 08 and 09); the kit's requirement leaves it out of a browser kernel.
    "workers-runtime-sdk": "1.9.5",
}
#: Wheels shipped inside jupyterlite-pyodide-kernel: its kernel, piplite and the shims.
KERNEL_WHEELS = ["ipykernel", "piplite", "pyodide-kernel", "widgetsnbextension"]
#: Loaded when the kernel starts; with these preloaded the kernel installs nothing itself.
PRELOAD = [
    "micropip",
    "piplite",
    "ipykernel",
    "comm",
    "pyodide-kernel",
    "jedi",
    "ipython",
    "cfws-playground",
    "workers-runtime-sdk",
]
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
#: The site's kernel as JupyterLab writes it into a notebook once the kernel starts: its
#: kernelspec, and the ``language_info`` of its kernel_info reply. The kernel's front end
#: (jupyterlite-pyodide-kernel 0.8.6) answers with fixed values: ``version`` is "3.8" whatever
#: Pyodide's Python is, and ``codemirror_mode`` is "python", not CPython ipykernel's "ipython".
#: A notebook that stores anything else shows as modified the moment it opens in the site, so
#: every notebook the site serves stores these; :func:`check_kernel` holds them to the kernel shipped.
LITE_KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
LITE_LANGUAGE_INFO = {
    "codemirror_mode": {"name": "python", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.8",
}
#: What a cell imports when it talks over the network (not possible in a browser kernel): such a
#: cell carries a ``LITE_SKIP`` line, or the build fails.
NETWORK_IMPORTS = {"websockets", "urllib.request", "cfws_playground.serve", "cfws_playground.bridge"}
#: A code cell that cannot run in a browser kernel (a live workerd is a process on a socket)
#: says so on a line of its own, ``# LITE_SKIP: why``; the site shows it commented out
#: under that note, and the rest of its chapter runs.
LITE_SKIP = "# LITE_SKIP:"
#: Pyodide's platform, for evaluating the wheels' environment markers.
EMSCRIPTEN = {
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "platform_machine": "wasm32",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "python_version": PYODIDE_PYTHON,
    "python_full_version": PYODIDE_PYTHON + ".2",
    "extra": "",
}


def log(text: str) -> None:
    print(f"build_lite: {text}", flush=True)


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(a) for a in args], cwd=cwd, env=env, check=True)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------- chapters


def network_imports(path: Path) -> list[str]:
    """The network modules a notebook's code cells import (cells are Python, magics removed)."""
    found: list[str] = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if lite_skipped(source):
            continue  # never runs in the browser
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:  # cells may await at top level, as IPython allows
            flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
            tree = compile("\n".join(lines), path.name, "exec", flags)
        except SyntaxError:
            continue  # a cell that does not parse does not run either: nbval reports it
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            found += [name for name in names if name in NETWORK_IMPORTS and name not in found]
    return found


#: Every chapter, 06b-OPTIONAL-... included (a glob of "[0-9][0-9]-*" silently skipped it).
CHAPTER_GLOB = "[0-9][0-9]*-*.ipynb"


def joined(path: Path) -> dict[str, object]:
    """The notebook with every multi-line string as one string, not a list of lines.

    nbformat allows either, and a Jupyter server joins the lists before the page sees them. A
    JupyterLite site serves the file as it is, and the page renders a list of output lines
    joined with commas: every line after the first would start with ",".
    """
    nb = json.loads(path.read_text(encoding="utf-8"))

    def one(value: object) -> object:
        return "".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value

    for cell in nb["cells"]:
        cell["source"] = one(cell["source"])
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = one(out["text"])
            for mime, value in out.get("data", {}).items():
                if not mime.endswith("json"):
                    out["data"][mime] = one(value)
    return nb  # type: ignore[no-any-return]


def lite_skipped(source: str) -> str | None:
    """Why a code cell does not run in the browser (its ``# LITE_SKIP: why`` line), or None."""
    for line in source.splitlines():
        if line.startswith(LITE_SKIP):
            why = line[len(LITE_SKIP) :].strip()
            if not why:
                raise SystemExit(f"build_lite: a {LITE_SKIP} line must say why the cell cannot run here")
            return why
    return None


def for_the_browser(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook as the site serves it: each ``LITE_SKIP`` cell commented out under its note.

    The cell stays a code cell (cells keep their places and numbers) and has no stored output;
    the learner reads what it would do, and why it cannot run in a kernel in the browser.
    """
    nb["metadata"] = {**nb.get("metadata", {}), **lite_kernel_metadata()}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        why = lite_skipped(source)
        if why is None:
            continue
        kept = [line for line in source.splitlines() if not line.startswith(LITE_SKIP)]
        note = f"# Not run in JupyterLite: {why}\n# In JupyterLab or on Binder it runs as it is:\n"
        cell["source"] = note + "\n".join(f"# {line}" if line else "#" for line in kept)
        cell["outputs"] = []
        cell["execution_count"] = None
    return nb


def lite_kernel_metadata() -> dict[str, Any]:
    """The notebook metadata JupyterLab writes when the site's kernel starts (fresh copies):
    each notebook the site serves stores it, so a chapter opens unmodified."""
    return copy.deepcopy({"kernelspec": LITE_KERNELSPEC, "language_info": LITE_LANGUAGE_INFO})


def js_literal(value: object) -> str:
    """``value`` as a minified JavaScript object literal: ``{name:"python",version:3}``."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{key}:{js_literal(item)}" for key, item in value.items()) + "}"
    return json.dumps(value)


def check_kernel(static: Path) -> None:
    """Fail unless the kernel extension in ``static`` (its built scripts) registers
    :data:`LITE_KERNELSPEC` and answers :data:`LITE_LANGUAGE_INFO`, as the notebooks store."""
    scripts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(static.glob("*.js"))]
    wanted = {
        "kernelspec": "spec:" + js_literal(LITE_KERNELSPEC)[:-1] + ",",
        "language_info": "language_info:" + js_literal(LITE_LANGUAGE_INFO),
    }
    missing = [key for key, text in wanted.items() if not any(text in script for script in scripts)]
    if missing:
        raise SystemExit(
            f"build_lite: the kernel in {static} does not report the {' and '.join(missing)} the"
            " notebooks would store (a chapter would open modified): update LITE_KERNELSPEC and"
            " LITE_LANGUAGE_INFO from its source"
        )


def linked_files(paths: list[Path]) -> list[Path]:
    """Files beside the notebooks that their markdown links or shows, such as ``topology.svg``."""
    found: list[Path] = []
    for path in paths:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for target in re.findall(r"\]\(([\w.-]+\.(?:svg|png|jpg|gif))\)", "".join(cell["source"])):
                file = NOTEBOOKS / target
                if file.is_file() and file not in found:
                    found.append(file)
    return found


def project_folders() -> list[Path]:
    """The project folders beside the chapters (``08-chat-room/``): a chapter loads them from disk."""
    return sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]*-*") if p.is_dir() and not p.name.startswith("."))


def chapters() -> list[Path]:
    """Every chapter, each to run in the browser; the build fails if one would need the network.

    A chapter is never left out whole (a link from another chapter would lead nowhere, and
    the lessons that need no socket would go with it): a cell that imports a network module
    and is not marked ``# LITE_SKIP: why`` stops the build, naming the chapter and the import.
    """
    included: list[Path] = []
    talks: list[str] = []
    for path in sorted(NOTEBOOKS.glob(CHAPTER_GLOB), key=lambda p: p.stem.split("-")[0]):
        needs = network_imports(path)
        if needs:
            talks.append(f"{path.name} (imports {', '.join(needs)})")
        included.append(path)
    if talks:
        raise SystemExit(
            "build_lite: a cell that is not marked # LITE_SKIP talks over the network in "
            + "; ".join(talks)
            + ": move the import into the cell that needs the socket and mark that cell"
            " `# LITE_SKIP: why`, or show its lesson in-process with connect(worker)"
        )
    return included


# ---------------------------------------------------------------- downloads


def build_env(cache: Path) -> Path:
    """A virtual environment with the pinned JupyterLite build, reused while the pins match."""
    env_dir = cache / "venv"
    python = env_dir / "bin" / "python"
    stamp = env_dir / "cfws-requirements.txt"
    wanted = "\n".join(BUILD_REQUIREMENTS) + "\n"
    if not (python.exists() and stamp.exists() and stamp.read_text() == wanted):
        log(f"build environment in {env_dir}")
        shutil.rmtree(env_dir, ignore_errors=True)
        venv.create(env_dir, with_pip=True)
        run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *BUILD_REQUIREMENTS)
        stamp.write_text(wanted)
    return python


def pyodide_core(cache: Path) -> Path:
    """The npm package ``pyodide`` (core runtime, lock file; no package wheels), unpacked."""
    folder = cache / f"pyodide-{PYODIDE_VERSION}"
    if not (folder / "package" / "pyodide.mjs").exists():
        npm = cache / "npm"
        npm.mkdir(parents=True, exist_ok=True)
        log(f"npm pack pyodide@{PYODIDE_VERSION}")
        run("npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", npm, "--silent")
        shutil.rmtree(folder, ignore_errors=True)
        with tarfile.open(npm / f"pyodide-{PYODIDE_VERSION}.tgz") as archive:
            archive.extractall(folder, filter="data")
    return folder / "package"


def pypi_wheel(python: Path, cache: Path, name: str, version: str) -> Path:
    """The pure wheel ``name==version`` from PyPI, downloaded once into the cache."""
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    for path in wheels.glob("*.whl"):
        dist, ver = path.name.split("-")[:2]
        if canonical(dist) == canonical(name) and ver == version:
            return path
    log(f"download {name}=={version}")
    run(
        python, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
        "--only-binary=:all:", "--python-version", PYODIDE_PYTHON, "--platform", "any",
        "--implementation", "py", "--dest", wheels, f"{name}=={version}",
    )  # fmt: skip
    return pypi_wheel(python, cache, name, version)


def kit_wheel(python: Path, into: Path) -> Path:
    """A wheel of the kit, built from this checkout."""
    shutil.rmtree(into, ignore_errors=True)
    run(python, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps", "-w", into, ROOT)
    (wheel,) = into.glob("cfws_playground-*.whl")
    return wheel


# ---------------------------------------------------------------- the lock


def wheel_entry(wheel: Path, python_env: dict[str, str]) -> tuple[dict[str, object], list[str]]:
    """A pyodide-lock entry for a pure wheel, and the requirements it has in Pyodide."""
    from packaging.requirements import Requirement

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        meta = Parser().parsestr(archive.read(meta_name).decode())
    tops = sorted(
        {
            n.split("/")[0].removesuffix(".py")
            for n in names
            if not n.split("/")[0].endswith((".dist-info", ".data"))
            and (n.count("/") >= 1 and n.endswith("/__init__.py") or n.count("/") == 0 and n.endswith(".py"))
        }
    )
    requires = []
    for line in meta.get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(python_env):
            requires.append(canonical(req.name))
    name = canonical(meta["Name"])
    entry: dict[str, object] = {
        "name": name,
        "version": meta["Version"],
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": tops,
        "depends": sorted(set(requires)),
        "unvendored_tests": False,
    }
    return entry, entry["depends"]  # type: ignore[return-value]


def make_lock(python: Path, cache: Path, core: Path, kit: Path, kernel_pypi: Path, into: Path) -> list[str]:
    """Put every wheel the kernel and the kit need in ``into`` with a lock that lists only them."""
    upstream = json.loads((core / "pyodide-lock.json").read_text())
    sources: dict[str, Path] = {"cfws-playground": kit}
    for name in KERNEL_WHEELS:
        candidates = sorted(kernel_pypi.glob(f"{name.replace('-', '_')}-*.whl"))
        if name == "widgetsnbextension":  # the shim ipywidgets 8 accepts (~=4.0)
            candidates = [p for p in candidates if p.name.startswith("widgetsnbextension-4.")]
        sources[name] = candidates[-1]
    packages: dict[str, dict[str, object]] = {}
    todo = list(PRELOAD)
    while todo:
        name = canonical(todo.pop())
        if name in packages:
            continue
        if name not in sources:
            if name in EXTRA_WHEELS:
                version = EXTRA_WHEELS[name]
            elif name in upstream["packages"]:
                version = upstream["packages"][name]["version"]
            else:
                raise SystemExit(
                    f"build_lite: {name} is needed in the browser but not pinned: add it to EXTRA_WHEELS"
                )
            sources[name] = pypi_wheel(python, cache, name, version)
        entry, depends = wheel_entry(sources[name], EMSCRIPTEN)
        packages[name] = entry
        todo += depends
    into.mkdir(parents=True, exist_ok=True)
    for name in packages:
        shutil.copy2(sources[name], into / sources[name].name)
    lock = {"info": upstream["info"], "packages": dict(sorted(packages.items()))}
    (into / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    return sorted(packages)


# ---------------------------------------------------------------- the site


def build(output: Path, cache: Path, extra: list[Path] | None = None) -> dict[str, object]:
    """Build the site into ``output``; downloads are read from and kept in ``cache``."""
    cache.mkdir(parents=True, exist_ok=True)
    # Each build stages in its own folder, so two builds sharing a cache do not collide.
    with tempfile.TemporaryDirectory(prefix="stage-", dir=cache) as stage:
        return _build(output, cache, Path(stage), extra or [])


def _build(output: Path, cache: Path, stage: Path, extra: list[Path]) -> dict[str, object]:
    started = time.monotonic()
    python = build_env(cache)
    from jupyterlite_pyodide_kernel import constants  # the build environment runs this

    if constants.PYODIDE_VERSION != PYODIDE_VERSION:
        raise SystemExit(
            f"build_lite: the kernel expects Pyodide {constants.PYODIDE_VERSION}, not {PYODIDE_VERSION}"
        )
    core = pyodide_core(cache)
    included = chapters()
    if not included:
        raise SystemExit("build_lite: no chapter to build")

    pyodide_dir = stage / "static" / "pyodide"
    pyodide_dir.mkdir(parents=True)
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide.js"):
        shutil.copy2(core / name, pyodide_dir / name)
    extensions = python.parent.parent / "share/jupyter/labextensions"
    kernel_static = extensions / KERNEL_PLUGIN.split(":")[0] / "static"
    check_kernel(kernel_static)
    kernel_pypi = kernel_static / "pypi"
    kit = kit_wheel(python, stage / "kit")
    shipped = make_lock(python, cache, core, kit, kernel_pypi, pyodide_dir)

    contents = stage / "contents"
    contents.mkdir()
    for path in [*included, *extra]:
        served = for_the_browser(joined(path))
        (contents / path.name).write_text(json.dumps(served, indent=1) + "\n", encoding="utf-8")
    for file in linked_files([*included, *extra]):
        shutil.copy2(file, contents / file.name)
    shutil.copy2(NOTEBOOKS / "checks.py", contents / "checks.py")
    for folder in [NOTEBOOKS / "solutions", *project_folders()]:  # what the chapters read from disk
        shutil.copytree(folder, contents / folder.name, ignore=shutil.ignore_patterns("__pycache__"))

    settings = {
        "pyodideUrl": "./static/pyodide/pyodide.mjs",
        "disablePyPIFallback": True,  # %pip install finds what the site ships, nothing else
        "loadPyodideOptions": {"lockFileURL": "./static/pyodide/pyodide-lock.json", "packages": PRELOAD},
    }
    config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "cfws-playground workshop",
            "litePluginSettings": {KERNEL_PLUGIN: settings},
        },
    }
    (stage / "jupyter-lite.json").write_text(json.dumps(config, indent=2) + "\n")

    output = output.resolve()
    if output.exists() and any(output.iterdir()) and not (output / "jupyter-lite.json").exists():
        raise SystemExit(f"build_lite: {output} is not empty and not a site built here: not replacing it")
    shutil.rmtree(output, ignore_errors=True)
    env = {**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    # A fresh stage, so a fresh doit database: a stale one skips steps and the site falls back to a CDN.
    run(
        python.parent / "jupyter-lite", "build", "--lite-dir", stage, "--contents", contents,
        "--output-dir", output, "--no-sourcemaps", cwd=stage, env=env,
    )  # fmt: skip

    manifest: dict[str, object] = {
        "chapters": [p.name for p in included],
        "extra": [p.name for p in extra],
        "pyodide": PYODIDE_VERSION,
        "packages": {name: _version(pyodide_dir, name) for name in shipped},
        "build_requirements": BUILD_REQUIREMENTS,
    }
    check_site(output)
    (output / "cfws-lite.json").write_text(json.dumps(manifest, indent=2) + "\n")
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    manifest["size_bytes"] = size
    log(f"chapters: {', '.join(manifest['chapters'])}")  # type: ignore[arg-type]
    log(f"{len(shipped)} packages preloaded from the site, Pyodide {PYODIDE_VERSION}")
    log(f"site: {output} ({size / 1e6:.1f} MB) in {time.monotonic() - started:.1f} s")
    return manifest


def _version(folder: Path, name: str) -> str:
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    return str(lock["packages"][name]["version"])


def check_site(output: Path) -> None:
    """Fail unless the site's kernel loads Pyodide and every package from the site itself."""
    problems = []
    for config_path in output.rglob("jupyter-lite.json"):
        config = json.loads(config_path.read_text())
        plugin = config.get("jupyter-config-data", {}).get("litePluginSettings", {}).get(KERNEL_PLUGIN)
        if plugin is None:
            continue
        for key in ("pyodideUrl",):
            if "://" in str(plugin.get(key, "")):
                problems.append(f"{config_path}: {key} = {plugin[key]}")
        if "://" in json.dumps(plugin.get("loadPyodideOptions", {})):
            problems.append(f"{config_path}: loadPyodideOptions points to another host")
    lock = json.loads((output / "static/pyodide/pyodide-lock.json").read_text())
    for name, entry in lock["packages"].items():
        path = output / "static/pyodide" / entry["file_name"]
        if not path.exists():
            problems.append(f"{name}: {entry['file_name']} is not in the site")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            problems.append(f"{name}: sha256 of {entry['file_name']} differs from the lock")
    if not (output / "static/pyodide/pyodide.mjs").exists():
        problems.append("static/pyodide/pyodide.mjs is missing")
    if problems:
        raise SystemExit("build_lite: the site would load from elsewhere:\n  " + "\n  ".join(problems))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--output", type=Path, default=ROOT / "_site", help="the site folder (default: _site)"
    )
    parser.add_argument(
        "--cache", type=Path, default=ROOT / "build" / "lite",
        help="downloads and the build environment, reused by the next build (default: build/lite)",
    )  # fmt: skip
    parser.add_argument(
        "--extra", type=Path, action="append", default=[], metavar="NOTEBOOK",
        help="one more notebook for the site (the browser test adds its widget notebook)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    cache = args.cache.resolve()
    python = build_env(cache)
    if Path(sys.prefix).resolve() != python.parent.parent.resolve():
        # Build inside the build environment, which has what reading wheels needs (packaging).
        argv = sys.argv[1:] if argv is None else argv
        return subprocess.run([str(python), __file__, *argv]).returncode
    build(args.output.resolve(), cache, [p.resolve() for p in args.extra])
    return 0


if __name__ == "__main__":
    sys.exit(main())
