"""Service bindings to this project's own entrypoints: ``env.CALC.fetch(request)`` and RPC.

``"services": [{"binding": "CALC", "service": "<this Worker's name>", "entrypoint": "Calculator"}]``
binds ``env.CALC`` to ``class Calculator(WorkerEntrypoint)`` of the same project
(``Default`` without ``entrypoint``): ``await env.CALC.add(1, 2)`` calls its method on
a new instance, as each call on Cloudflare gets one; ``await env.CALC.fetch(request)`` its
``fetch``. Arguments and results cross as structured clones. A service of another
Worker is not modelled (the project is refused at start, naming it).
"""

from __future__ import annotations

import inspect
from typing import Any

from ..durable.ids import JsClass
from ..durable.namespace import _clone, _kit_request
from ..durable.texts import NO_RPC_METHOD
from ..promise import JsPromise, started
from ..worker import ExecutionContext, _find_handler, _run_fetch

__all__ = ["ServiceBinding"]

#: Names that are not RPC methods of an entrypoint (its handlers and its fields).
_NOT_RPC = frozenset({"fetch", "ctx", "env", "constructor", "scheduled", "queue", "tail", "trace"})


class ServiceBinding:
    """Mirrors a service binding (``Fetcher``) to an entrypoint class of this project."""

    constructor = JsClass("Fetcher")

    def __init__(self, cls: type, env: Any, worker: Any) -> None:
        self._cls = cls
        self._env = env
        self._fetch_handler = _find_handler(worker)

    def fetch(self, request: Any, init: Any = None) -> JsPromise[Any]:
        """Mirrors ``service.fetch(request)``: the entrypoint's ``fetch``."""
        kit_request = _kit_request(request, init)
        return started(_run_fetch(self._fetch_handler, kit_request, self._env, ExecutionContext()))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        method = getattr(self._cls, name, None)
        if name in _NOT_RPC or method is None or not callable(method):
            raise TypeError(NO_RPC_METHOD.format(name=name))

        def rpc(*args: Any, **kwargs: Any) -> JsPromise[Any]:
            args = tuple(_clone(a) for a in args)
            kwargs = {k: _clone(v) for k, v in kwargs.items()}

            async def call() -> Any:
                instance = self._cls(ExecutionContext(), self._env)
                result = getattr(instance, name)(*args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
                return _clone(result)

            return started(call())

        rpc.__name__ = name
        return rpc

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return self

    def __repr__(self) -> str:
        return f"<ServiceBinding {self._cls.__name__}>"
