"""The Python Workers dialect: Cloudflare's own SDK (``workers``, from ``workers-runtime-sdk``)
on a ``js`` / ``pyodide.ffi`` / ``pyodide.http`` layer the kit provides for the code it runs,
and the loader for ``wrangler.jsonc`` / ``wrangler.toml`` project folders.

A Worker written for Cloudflare (``from workers import WorkerEntrypoint, DurableObject``,
``from js import WebSocketPair, Object``) runs unchanged::

    cfws-playground serve my-project/          # reads my-project/wrangler.jsonc

In a notebook, opt in once to import the same names in cells::

    from cfws_playground import pyworkers
    pyworkers.enable()
    from js import WebSocketPair, Object
    from workers import DurableObject, WorkerEntrypoint
    ...
    env.ROOM = pyworkers.binding(Room, env)
    async with serve(pyworkers.entrypoint(Default), env=env) as server: ...

The modules never replace installed packages unless you opt in (see :mod:`.modules`).
"""

from __future__ import annotations

from .modules import NAMES, dialect, disable, enable, enabled, sdk, shadowed
from .project import Project, ProjectError, binding, entrypoint, load_project

__all__ = [
    "NAMES",
    "Project",
    "ProjectError",
    "binding",
    "dialect",
    "disable",
    "enable",
    "enabled",
    "entrypoint",
    "load_project",
    "sdk",
    "shadowed",
]
