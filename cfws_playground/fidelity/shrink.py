"""Make a differing program minimal, as hypothesis shrinks a failing example.

A program is a list of steps; a step is a string or a block (a listener, a
timer, a microtask, a handler) with a body that is again a list of steps.
:func:`shrink` tries smaller programs, keeps the first one that is still
"interesting" (the caller's predicate: it still differs from workerd in the same
way), and starts again from it, until no candidate is interesting or the budget
of tries is spent. Candidates, most reducing first:

1. drop a run of top-level steps (halves, quarters, ... single steps: delta debugging);
2. drop one step of a block's body, at any depth; put a timer's or microtask's
   body in its place;
3. simplify one value: a long ``text(n)`` shorter, a string ``'x'``, a number
   ``1000``, a listener's ``once`` / ``object`` dropped.

Each try is a run on the kit and on workerd, so the budget is counted in tries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["shrink", "size"]

Step = Any  # str | block dict
Program = list[Step]

_NUMBER = re.compile(r"(?<![\w.'])-?\d+(?:\.\d+)?(?:e\d+)?(?![\w.'])")
_SIMPLER: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], list[str]]], ...] = (
    (re.compile(r"text\((\d+)\)"), lambda m: [f"text({k})" for k in _smaller(int(m[1]))]),
    (re.compile(r"'(?:[^'\\]|\\.){2,}'"), lambda m: ["'x'", "''"]),
    (_NUMBER, lambda m: [] if m[0] == "1000" else ["1000"]),
    (re.compile(r" (once|object)(?=$)"), lambda m: [""]),
)


def _smaller(n: int) -> list[str]:
    return [str(k) for k in (1, n // 2, n - 1) if 0 < k < n]


def size(program: Program) -> int:
    """Steps counted at every depth, plus the characters of the strings (a tie-breaker)."""
    total = 0
    for step in program:
        if isinstance(step, dict):
            total += 1000 + size(step["body"])
        else:
            total += 1000 + len(step)
    return total


def _with_body(block: dict[str, Any], body: Program) -> dict[str, Any]:
    return {**block, "body": body}


def _candidates(program: Program) -> Iterator[Program]:
    n = len(program)
    chunk = n // 2
    while chunk >= 1:
        for start in range(0, n, chunk):
            yield program[:start] + program[start + chunk :]
        chunk //= 2
    for i, step in enumerate(program):
        if isinstance(step, dict):
            if step.get("block") in ("timeout", "microtask"):
                yield program[:i] + list(step["body"]) + program[i + 1 :]
            for smaller in _candidates(step["body"]):
                yield program[:i] + [_with_body(step, smaller)] + program[i + 1 :]
            header = step.get("header")
            if isinstance(header, str):
                for simpler in _simplify(header):
                    yield program[:i] + [{**step, "header": simpler}] + program[i + 1 :]
        else:
            for simpler in _simplify(step):
                yield program[:i] + [simpler] + program[i + 1 :]


def _simplify(text: str) -> Iterator[str]:
    for pattern, replacements in _SIMPLER:
        for m in pattern.finditer(text):
            for rep in replacements(m):
                out = text[: m.start()] + rep + text[m.end() :]
                if out != text:
                    yield out


def shrink(program: Program, interesting: Callable[[Program], bool], *, budget: int = 300) -> Program:
    """The smallest program found that is still ``interesting`` (``program`` itself must be).

    ``budget``: at most this many calls of ``interesting``.
    """
    best = list(program)
    tries = 0
    seen: set[str] = set()
    improved = True
    while improved and tries < budget:
        improved = False
        for cand in _candidates(best):
            key = repr(cand)
            if key in seen or size(cand) >= size(best):
                continue
            seen.add(key)
            tries += 1
            if interesting(cand):
                best = cand
                improved = True
                break
            if tries >= budget:
                break
    return best
