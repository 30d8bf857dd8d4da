"""Python Workers code measured on the real runtime: stock Pyodide inside workerd, the second oracle.

The JS scenarios (:mod:`cfws_playground.fidelity`) measure workerd's WebSocket
API from JavaScript. These measure what a Python Workers developer's code
sees: Python scenarios (:mod:`.library`), each a small program written with
``from js import ...``, ``pyodide.ffi`` and Cloudflare's ``workers`` SDK, run on
the kit's dialect (:mod:`cfws_playground.pyworkers`) and in the npm
``pyodide`` package loaded inside the pinned workerd (:mod:`.loader`)::

    from cfws_playground.fidelity.pyodide import verify_python
    print(verify_python(["py-listener-lambda"]))       # the recorded references without Node

    cfws-playground verify --python --install          # both installed with npm, then live

This is stock Pyodide on workerd's real event loop and ``WebSocketPair``, not
the production Python Workers runtime (README, "Python on real workerd").
"""

from .compare import averify_python, load_python_references, record_python_references, verify_python
from .library import PY_SCENARIOS, py_by_name
from .loader import PYODIDE_VERSION, PyodideServer, find_pyodide, install_pyodide
from .scenario import PY_CONFIGS, PyScenario

__all__ = [
    "PYODIDE_VERSION",
    "PY_CONFIGS",
    "PY_SCENARIOS",
    "PyScenario",
    "PyodideServer",
    "averify_python",
    "find_pyodide",
    "install_pyodide",
    "load_python_references",
    "py_by_name",
    "record_python_references",
    "verify_python",
]
