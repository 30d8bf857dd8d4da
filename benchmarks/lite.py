"""The workshop in JupyterLite: kernel start and each chapter's time, against the same chapter run natively.

For each chapter the site includes, a fresh headless chromium context opens it
from a static server on 127.0.0.1 (every request for another host blocked and
counted), waits until the Pyodide kernel is idle (*kernel idle*: page open to
a kernel ready to run, Pyodide and every preloaded package loaded), then uses
*Run All* and waits for every cell (*Run All*). The baseline, measured in the
same run, is the same chapter executed by nbclient with this environment's
ipykernel (kernel start included). The ratios are the result; nothing here is
a pass/fail test.

Run: ``python -m benchmarks.lite`` (builds ``_site/`` first) or
``python -m benchmarks.lite --site _site`` to reuse a build. Needs Debian's
chromium and npm, as the browser test does.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))  # the browser test's helpers: one way to drive the site

__all__ = ["main", "native_seconds"]


def native_seconds(path: Path) -> float:
    """Seconds for nbclient to start an ipykernel and run every cell of ``path``."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    start = time.monotonic()
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    from chromium import CHROMIUM_ARGS
    from lite import (
        build_site,
        expose_app,
        open_chapter,
        outside_requests,
        run_chapter,
        site_size,
        static_server,
    )
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--site", type=Path, help="a site built by scripts/build_lite.py (default: build one)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        if args.site is None:
            start = time.monotonic()
            manifest: dict[str, Any] = build_site(Path(tmp) / "_site")
            site = Path(tmp) / "_site"
            print(f"build: {time.monotonic() - start:.1f} s")
        else:
            import json
            import shutil

            site = Path(tmp) / "_site"
            shutil.copytree(args.site, site)
            manifest = json.loads((site / "cfws-lite.json").read_text())
        expose_app(site)  # this copy only: the driver reads the notebook through window.jupyterapp
        print(f"site: {site_size(site) / 1e6:.1f} MB, Pyodide {manifest['pyodide']}")
        print(f"{'chapter':<30} {'kernel idle':>11} {'Run All':>8} {'native':>7} {'browser/native':>15}")
        with static_server(site) as base, outside_requests() as outside, sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS + outside.args
            )
            try:
                for name in manifest["chapters"]:
                    with open_chapter(browser, base, name, outside) as (page, _):
                        idle, ran, _, _ = run_chapter(page, name, Path(tmp) / "timeout.png")
                    native = native_seconds(ROOT / "notebooks" / name)
                    ratio = (idle + ran) / native
                    print(f"{name:<30} {idle:>10.1f}s {ran:>7.1f}s {native:>6.1f}s {ratio:>14.1f}x")
            finally:
                browser.close()
        print(f"requests to other hosts: {outside.count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
