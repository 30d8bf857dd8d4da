"""A Python Workers project folder (a wrangler file), run as ``pywrangler dev`` runs it.

Read: ``main``, ``compatibility_date``, ``compatibility_flags``, ``vars``,
``durable_objects.bindings`` and ``migrations``. ``main`` is imported with its
folder on ``sys.path`` (and ``__file__`` set), inside the dialect
(:mod:`cfws_playground.pyworkers.modules`). A binding the kit does not model
(KV, D1, R2, AI, ...) is an error that names it, before anything runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import re
import sys
import tomllib
import types
from pathlib import Path
from typing import Any

from ..compat import FLAGS, compatibility
from ..durable.namespace import DurableObjectNamespace
from ..durable.object import DEFAULT_HIBERNATE_AFTER
from ..durable.storage import Backend, MemoryBackend, SqliteBackend
from ..http import Request, Response
from ..worker import call_loosely
from .jsobjects import JsRequest
from .jsproxy import JsDurableObjectState, from_runtime
from .modules import dialect

__all__ = [
    "CONFIG_NAMES",
    "Project",
    "ProjectError",
    "SdkWorker",
    "binding",
    "entrypoint",
    "kit_response",
    "load_project",
]

CONFIG_NAMES = ("wrangler.jsonc", "wrangler.json", "wrangler.toml")

#: Bindings a wrangler file may declare that the kit does not model: key -> what it is.
UNMODELLED_BINDINGS = {
    "kv_namespaces": "KV namespace",
    "d1_databases": "D1 database",
    "r2_buckets": "R2 bucket",
    "ai": "Workers AI",
    "queues": "Queue",
    "services": "service",
    "vectorize": "Vectorize index",
    "hyperdrive": "Hyperdrive",
    "analytics_engine_datasets": "Analytics Engine dataset",
    "browser": "Browser Rendering",
    "workflows": "Workflow",
    "send_email": "Email",
    "images": "Images",
    "dispatch_namespaces": "dispatch namespace",
    "mtls_certificates": "mTLS certificate",
    "secrets_store_secrets": "Secrets Store secret",
    "version_metadata": "version metadata",
    "worker_loaders": "Worker Loader",
    "pipelines": "Pipeline",
    "ratelimits": "rate limiting",
    "vpc_services": "VPC service",
    "containers": "Container",
    "unsafe": "unsafe",
    "assets": "static assets",
}

#: What to do instead, said on the same line.
_INSTEAD = (
    "run the project with `pywrangler dev` for it, or remove the binding (and the code that uses it) "
    "to run the rest here"
)

#: Top-level wrangler settings that declare no binding (anything else holding a
#: ``binding`` entry is refused as an unknown binding).
_SETTINGS = frozenset(
    {
        "$schema", "name", "main", "compatibility_date", "compatibility_flags", "vars", "durable_objects",
        "migrations", "account_id", "workers_dev", "preview_urls", "routes", "route", "triggers",
        "observability", "build", "rules", "dev", "env", "limits", "placement", "upload_source_maps",
        "minify", "keep_vars", "logpush", "no_bundle", "tail_consumers", "find_additional_modules",
        "base_dir", "preserve_file_names", "define", "usage_model", "send_metrics", "legacy_env",
        "python_modules", "node_compat", "alias", "tsconfig", "jsx_factory", "jsx_fragment",
    }
)

_KNOWN_FLAGS = {f.enable for f in FLAGS} | {f.disable for f in FLAGS if f.disable}


class ProjectError(ValueError):
    """The project folder cannot run here; the message says which file and which setting."""


@dataclasses.dataclass
class Project:
    """A loaded project.

    Attributes:
        root: the folder.
        config: the wrangler file read.
        name: the Worker's ``name`` (or the folder's).
        main: the entry module's path.
        worker: what the runtime calls: the ``Default`` entrypoint (an :class:`SdkWorker`)
            or the entry module (its ``fetch``).
        env: what the Worker and its objects get as ``env``: ``vars`` and Durable Object namespaces.
        compatibility: the date and the flags the kit models.
        namespaces: binding name -> namespace.
        notes: things said once at start-up (flags not modelled, missing migrations, ...).
    """

    root: Path
    config: Path
    name: str
    main: Path
    worker: Any
    env: types.SimpleNamespace
    compatibility: compatibility
    namespaces: dict[str, DurableObjectNamespace]
    notes: list[str]


def find_config(root: Path) -> Path | None:
    for name in CONFIG_NAMES:
        if (root / name).is_file():
            return root / name
    return None


def read_config(path: Path) -> dict[str, Any]:
    """Parse ``wrangler.toml`` or ``wrangler.json[c]`` (comments and trailing commas allowed)."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        return json.loads(_strip_jsonc(text))  # type: ignore[no-any-return]
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ProjectError(f"{path.name} is not valid: {exc}") from None


_JSONC_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)


def _strip_jsonc(text: str) -> str:
    no_comments = _JSONC_TOKEN.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    return re.sub(r",(\s*[}\]])", r"\1", no_comments)


def _binding_names(key: str, value: Any) -> list[str]:
    if isinstance(value, dict):
        if "binding" in value:
            return [str(value["binding"])]
        names: list[str] = []
        for sub in value.values():  # queues: {"producers": [...], "consumers": [...]}
            if isinstance(sub, list):
                names += [str(v.get("binding") or v.get("queue") or "?") for v in sub if isinstance(v, dict)]
        return names or [key]
    if isinstance(value, list):
        return [
            str(v.get("binding") or v.get("name") or "?") if isinstance(v, dict) else str(v) for v in value
        ]
    return [key]


def _declares_binding(value: Any) -> bool:
    if isinstance(value, dict):
        return "binding" in value or any(_declares_binding(v) for v in value.values())
    if isinstance(value, list):
        return any(isinstance(v, dict) and "binding" in v for v in value)
    return False


def refuse_unmodelled(config: dict[str, Any], where: str) -> None:
    """Raise :class:`ProjectError` naming the first binding the kit does not model, and what to do.

    One line, before anything runs: ``wrangler.jsonc: Workers AI binding 'AI' (ai) is not modelled ...``.
    """
    for key, what in UNMODELLED_BINDINGS.items():
        if config.get(key):
            names = ", ".join(repr(n) for n in _binding_names(key, config[key]))
            raise ProjectError(
                f"{where}: {what} binding {names} ({key}) is not modelled by cfws-playground; {_INSTEAD}"
            )
    for key, value in config.items():
        if key not in _SETTINGS and key not in UNMODELLED_BINDINGS and _declares_binding(value):
            names = ", ".join(repr(n) for n in _binding_names(key, value))
            raise ProjectError(
                f"{where}: binding {names} ({key}) is of a kind cfws-playground does not know; {_INSTEAD}"
            )


def load_project(
    root: str | Path,
    *,
    hibernate_after: float | None = DEFAULT_HIBERNATE_AFTER,
    persist_to: str | Path | None = None,
) -> Project:
    """Load the project in ``root``.

    Args:
        root: the folder holding ``wrangler.jsonc`` / ``wrangler.toml``.
        hibernate_after: seconds an idle Durable Object stays in memory (10 as in production).
        persist_to: a folder for Durable Object storage in SQLite (kept across runs);
            in memory when None.

    Raises:
        ProjectError: no wrangler file, a setting the kit cannot run, or an entry module that fails.
    """
    root = Path(root)
    config_path = find_config(root)
    if config_path is None:
        raise ProjectError(f"{root} has no {' or '.join(CONFIG_NAMES[::2])}")
    config = read_config(config_path)
    where = config_path.name
    refuse_unmodelled(config, where)
    main = config.get("main")
    if not isinstance(main, str):
        raise ProjectError(f'{where} has no main (the entry module, e.g. "main": "src/entry.py")')
    main_path = (root / main).resolve()
    if not main_path.is_file():
        raise ProjectError(f"{where}: main {main!r} does not exist")
    if main_path.suffix != ".py":
        raise ProjectError(
            f"{where}: main {main!r} is not a Python module (cfws-playground runs Python Workers)"
        )

    notes: list[str] = []
    flags = [str(f) for f in config.get("compatibility_flags", [])]
    unmodelled = [f for f in flags if f not in _KNOWN_FLAGS and f != "python_workers"]
    if unmodelled:
        notes.append(f"compatibility flags with no effect here: {', '.join(unmodelled)}")
    try:
        compat = compatibility(
            date=config.get("compatibility_date"), flags=[f for f in flags if f in _KNOWN_FLAGS]
        )
    except ValueError as exc:
        raise ProjectError(f"{where}: {exc}") from None

    bindings = (config.get("durable_objects") or {}).get("bindings") or []
    migrated: set[str] = set()
    for migration in config.get("migrations") or []:
        migrated |= set(migration.get("new_classes") or []) | set(migration.get("new_sqlite_classes") or [])
        for renamed in migration.get("renamed_classes") or []:
            migrated.discard(renamed.get("from"))
            migrated.add(renamed.get("to"))
        migrated -= set(migration.get("deleted_classes") or [])

    module = _import_main(main_path, where)
    entry = getattr(module, "Default", None)
    worker: Any = entrypoint(entry) if isinstance(entry, type) else module

    env = types.SimpleNamespace(**{str(k): v for k, v in (config.get("vars") or {}).items()})
    spaces: dict[str, DurableObjectNamespace] = {}
    for declared in bindings:
        name, class_name = declared.get("name"), declared.get("class_name")
        if declared.get("script_name"):
            raise ProjectError(
                f"{where}: Durable Object binding {name!r} uses script_name {declared['script_name']!r}: "
                "objects of another Worker are not modelled; define the class in this project"
            )
        cls = getattr(module, str(class_name), None)
        if not isinstance(cls, type):
            raise ProjectError(
                f"{where}: Durable Object binding {name!r} names class {class_name!r}, "
                f"which {main} does not define"
            )
        if class_name not in migrated:
            notes.append(
                f"class {class_name} has no migration (new_sqlite_classes) in {where}; "
                "Cloudflare requires one to deploy it"
            )
        backend: Backend = (
            SqliteBackend(Path(persist_to) / f"{class_name}.sqlite") if persist_to else MemoryBackend()
        )
        spaces[str(name)] = binding(
            cls,
            env,
            name=str(name),
            storage=backend,
            hibernate_after=hibernate_after,
            compatibility=compat,
        )
        setattr(env, str(name), spaces[str(name)])
    return Project(
        root=root,
        config=config_path,
        name=str(config.get("name") or root.resolve().name),
        main=main_path,
        worker=worker,
        env=env,
        compatibility=compat,
        namespaces=spaces,
        notes=notes,
    )


class SdkWorker:
    """A ``class Default(WorkerEntrypoint)`` of Cloudflare's SDK, as the kit's runtime calls a Worker.

    The runtime's glue does what it does in Pyodide: the handler gets the SDK's
    ``Request`` around the runtime's request, and the SDK's ``Response`` goes
    back as the runtime's.
    """

    def __init__(self, cls: type, sdk: types.ModuleType) -> None:
        self.cls = cls
        self.sdk = sdk

    def request(self, request: Request) -> Any:
        """The SDK's ``Request`` around the runtime's request."""
        return self.sdk.Request(JsRequest.of(request))

    async def fetch(self, request: Request, env: Any, ctx: Any) -> Any:
        instance = self.cls(ctx, env)
        result = call_loosely(instance.fetch, self.request(request))
        if hasattr(result, "__await__"):
            result = await result
        return kit_response(result)

    def __repr__(self) -> str:
        return f"<SdkWorker {self.cls.__name__}>"


def entrypoint(cls: type) -> Any:
    """What the kit's runtime should call for a Worker class: an :class:`SdkWorker` for a
    ``class Default(WorkerEntrypoint)`` of Cloudflare's SDK, the class itself otherwise.

    In a notebook, after ``pyworkers.enable()``: ``serve(pyworkers.entrypoint(Default), env=env)``.
    """
    sdk = sys.modules.get("workers")
    if sdk is not None and isinstance(cls, type) and issubclass(cls, getattr(sdk, "WorkerEntrypoint", ())):
        return SdkWorker(cls, sdk)
    return cls


def binding(cls: type, env: Any, *, python: bool = False, **options: Any) -> DurableObjectNamespace:
    """A Durable Object namespace for ``cls``; for a ``DurableObject`` of Cloudflare's SDK, its
    ``fetch`` gets the SDK's ``Request`` and may return the SDK's ``Response``, as on Cloudflare.

    An SDK class (or any class, with ``python=True``) sees what Pyodide shows: its ``ctx`` and the
    sockets and binary messages its handlers get are JsProxy objects (:mod:`.jsproxy`).

    ``options`` are :class:`~cfws_playground.durable.DurableObjectNamespace`'s.
    """
    ns = DurableObjectNamespace(cls, env, **options)
    sdk = sys.modules.get("workers")
    is_sdk = sdk is not None and issubclass(cls, getattr(sdk, "DurableObject", ()))
    if is_sdk:
        assert sdk is not None
        ns.request_adapter = SdkWorker(cls, sdk).request
        ns.response_adapter = kit_response
    if is_sdk or python:
        ns.ctx_adapter = JsDurableObjectState
        ns.handler_args_adapter = _handler_args
    return ns


def _handler_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """A hibernation handler's arguments as Pyodide passes them: the socket and any binary message
    or error as JsProxy objects (a text message, a code, a reason stay Python values)."""
    return tuple(from_runtime(a) for a in args)


def kit_response(result: Any) -> Any:
    """The runtime's ``Response`` inside an SDK ``Response`` (``js_object``); anything else as it is."""
    if isinstance(result, Response):
        return result
    inner = getattr(result, "js_object", None)
    return inner if isinstance(inner, Response) else result


def _import_main(path: Path, where: str) -> types.ModuleType:
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    module_name = f"_cfws_project_{digest}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # the entry module imports its neighbours, as in Pyodide
    sys.modules[module_name] = module
    try:
        with dialect():
            spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the project's code: say where it failed, briefly
        sys.modules.pop(module_name, None)
        line = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        raise ProjectError(f"{path.name} failed to load{line}: {type(exc).__name__}: {exc}") from exc
    return module
