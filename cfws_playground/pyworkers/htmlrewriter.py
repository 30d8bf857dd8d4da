"""JavaScript's ``HTMLRewriter`` (``from js import HTMLRewriter``), a subset on stdlib ``html.parser``.

Cloudflare's runtime streams HTML through lol-html, calling handlers for the
elements that match CSS selectors. Here the response's body, once whole, goes
through :class:`html.parser.HTMLParser` (a real HTML tokenizer, not a regular
expression) and the same handler calls are made, in document order:

* ``HTMLRewriter.new().on(selector, handlers)`` and ``.onDocument(handlers)``, then
  ``.transform(response)`` (a new ``Response``; status and headers kept).
* Selectors: ``*``, ``tag``, ``#id``, ``.class``, ``[attr]``, ``[attr=v]`` (and ``~= ^=
  $= *= |=``), compounds of these (``a.nav[href^="/"]``), and the descendant (``div p``)
  and child (``ul > li``) combinators. Pseudo-classes (``:nth-child``, ``:not``) raise
  ``NotImplementedError`` naming them.
* ``element(el)``: ``tagName`` (settable), ``attributes``, ``getAttribute``,
  ``hasAttribute``, ``setAttribute``, ``removeAttribute``, ``before``/``after``/
  ``prepend``/``append``/``replace``/``setInnerContent`` (content escaped unless
  the options say ``html``: ``{"html": True}`` works from Python, as in Pyodide),
  ``remove()``, ``removeAndKeepContent()``, ``removed``, ``namespaceURI``,
  ``onEndTag(fn)`` (``before``/``after``/``remove`` on the end tag, ``name``). A
  missing attribute is ``jsnull``, as Pyodide shows JS ``null``.
* ``text(chunk)``: each text node inside a matched element, as one chunk then an
  empty one with ``lastInTextNode`` true (lol-html may split a node in more
  chunks); ``text``, ``before``/``after``/``replace``/``remove``.
* ``comments(c)``: ``text`` (settable), ``before``/``after``/``replace``/``remove``.
* ``onDocument``: ``doctype`` (``name``, ``publicId``, ``systemId``), ``comments``,
  ``text``, ``end`` (``append``).

As in lol-html, a start tag never ends an open element (``<li>a<li>b</ul>``: the
second ``li`` is inside the first, so ``ul > li`` matches only the first), and an
end tag that closes elements left open closes them all at once: when one of them was
removed, the end tag goes with it. Not modelled: handlers that
return promises (async handlers raise ``TypeError``), streaming (the body is read
whole first).
"""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from .ffi import jsnull

__all__ = ["HTMLRewriter", "SelectorError"]

# Elements with no end tag (the HTML standard's void elements).
VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())


# One attribute of a start tag as written (its leading space included), as html.parser reads it.
_ATTRIBUTE = re.compile(
    r"""\s*(?P<name>[^\s/>=][^\s/>=]*)(?:\s*=\s*(?:'[^']*'|"[^"]*"|[^\s>]*))?|\s*/(?=[^>])"""
)


class SelectorError(TypeError):
    """A selector lol-html would refuse too."""


# ---------------------------------------------------------------------- selectors


@dataclass(frozen=True)
class _Compound:
    """One compound selector: a tag (or None for any), ids, classes, attribute tests."""

    tag: str | None
    tests: tuple[tuple[str, str, str | None], ...]  # (name, operator, value); operator "" = present

    def matches(self, tag: str, attrs: Mapping[str, str | None]) -> bool:
        if self.tag is not None and self.tag != tag:
            return False
        for name, op, want in self.tests:
            if name not in attrs:
                return False
            have = attrs[name] or ""
            if op == "" or want is None:
                continue
            if op == "=" and have != want:
                return False
            if op == "~=" and want not in have.split():
                return False
            if op == "^=" and not (want and have.startswith(want)):
                return False
            if op == "$=" and not (want and have.endswith(want)):
                return False
            if op == "*=" and not (want and want in have):
                return False
            if op == "|=" and not (have == want or have.startswith(want + "-")):
                return False
        return True


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<comb>>)
    | (?P<tag>\*|[A-Za-z][\w-]*)
    | \#(?P<id>[\w-]+)
    | \.(?P<cls>[\w-]+)
    | \[\s*(?P<attr>[\w:-]+)\s*
        (?:(?P<op>[~^$*|]?=)\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\]\s]+))\s*)?\]
    | (?P<pseudo>::?[\w-]+(?:\([^)]*\))?)
    )""",
    re.X,
)


@dataclass(frozen=True)
class Selector:
    """A chain of compounds joined by descendant (``" "``) or child (``">"``) combinators."""

    text: str
    parts: tuple[tuple[str, _Compound], ...]  # (combinator before it, compound); the first's is ""

    @classmethod
    def parse(cls, text: str) -> Selector:
        parts: list[tuple[str, _Compound]] = []
        pos, comb = 0, ""
        tag: str | None = None
        tests: list[tuple[str, str, str | None]] = []
        started = False
        source = text.strip()
        if not source:
            raise SelectorError("Parser error: Empty selector.")
        while pos < len(source):
            if source[pos].isspace():
                if started:
                    parts.append((comb, _Compound(tag, tuple(tests))))
                    tag, tests, started, comb = None, [], False, " "
                pos += 1
                continue
            match = _TOKEN.match(source, pos)
            if match is None or match.end() == pos:
                raise SelectorError(f"Parser error: Unexpected token in selector {text!r}.")
            pos = match.end()
            if match["pseudo"]:
                raise NotImplementedError(
                    f"HTMLRewriter selector {text!r}: {match['pseudo']} is not modelled by cfws-playground "
                    "(simple, compound, descendant and child selectors are)"
                )
            if match["comb"]:
                if started:
                    parts.append((comb, _Compound(tag, tuple(tests))))
                    tag, tests, started = None, [], False
                comb = ">"
                continue
            started = True
            if match["tag"]:
                tag = None if match["tag"] == "*" else match["tag"].lower()
            elif match["id"]:
                tests.append(("id", "=", match["id"]))
            elif match["cls"]:
                tests.append(("class", "~=", match["cls"]))
            else:
                value = (
                    match["dq"]
                    if match["dq"] is not None
                    else match["sq"]
                    if match["sq"] is not None
                    else match["bare"]
                )
                tests.append((match["attr"].lower(), match["op"] or "", value))
        if not started:
            raise SelectorError(f"Parser error: Unexpected end of selector {text!r}.")
        parts.append((comb, _Compound(tag, tuple(tests))))
        return cls(text, tuple(parts))

    def matches(self, stack: list[tuple[str, dict[str, str | None]]]) -> bool:
        """Does the innermost element of ``stack`` (outermost first) match?"""
        return _match(self.parts, len(self.parts) - 1, stack, len(stack) - 1)


def _match(parts: tuple[tuple[str, _Compound], ...], i: int, stack: list[Any], j: int) -> bool:
    comb, compound = parts[i]
    if j < 0 or not compound.matches(*stack[j]):
        return False
    if i == 0:
        return True
    if comb == ">":
        return _match(parts, i - 1, stack, j - 1)
    return any(_match(parts, i - 1, stack, k) for k in range(j - 1, -1, -1))


# ---------------------------------------------------------------------- content


def _content(content: Any, options: Any) -> str:
    """Inserted content: escaped as text unless ``{"html": True}``."""
    as_html = False
    if options is not None:
        get = getattr(options, "get", None)
        as_html = bool(get("html") if callable(get) else getattr(options, "html", False))
    text = str(content)
    return text if as_html else html.escape(text, quote=False)


class _Mutations:
    """``before``/``after``/``replace``/``remove``: what every rewritable token has."""

    def __init__(self) -> None:
        self._before: list[str] = []
        self._after: list[str] = []
        self._replacement: str | None = None
        self.removed = False

    def before(self, content: Any, options: Any = None) -> _Mutations:
        self._before.append(_content(content, options))
        return self

    def after(self, content: Any, options: Any = None) -> _Mutations:
        self._after.insert(0, _content(content, options))  # each after() goes right after the token
        return self

    def replace(self, content: Any, options: Any = None) -> _Mutations:
        self._replacement = _content(content, options)
        self.removed = True
        return self

    def remove(self) -> _Mutations:
        self.removed = True
        return self

    def _wrap(self, token: str) -> str:
        middle = self._replacement if self.removed else token
        return "".join(self._before) + (middle or "") + "".join(self._after)


class Element(_Mutations):
    """Mirrors lol-html's ``Element`` as an ``element(el)`` handler receives it."""

    def __init__(self, tag: str, attrs: list[tuple[str, str | None]], raw: str) -> None:
        super().__init__()
        self._tag = tag
        self._attrs: dict[str, str | None] = dict(attrs)
        self._raw = raw
        # The start tag as written, in pieces: lol-html rewrites only what changes.
        name = re.match(r"<\s*[^\s/>]+", raw)
        self._head_end = name.end() if name else 1
        closing = re.search(r"\s*/?>$", raw)
        body_end = len(raw) - len(closing[0]) if closing is not None else len(raw)
        self._pieces: list[tuple[str, str]] = [
            ((m["name"] or "").lower(), m[0]) for m in _ATTRIBUTE.finditer(raw, self._head_end, body_end)
        ]
        self._tail = raw[body_end:]
        self._changed = False
        self._renamed = False
        self._prepend: list[str] = []
        self._append: list[str] = []
        self._inner: str | None = None
        self._keep_content = False
        self._end_handlers: list[Callable[[Any], Any]] = []
        self._self_closing = raw.rstrip().endswith("/>")
        self._void = tag in VOID or self._self_closing
        self.namespaceURI = "http://www.w3.org/1999/xhtml"

    @property
    def tagName(self) -> str:
        return self._tag

    @tagName.setter
    def tagName(self, name: str) -> None:
        self._tag = str(name).lower()
        self._renamed = True

    @property
    def attributes(self) -> Iterator[list[str]]:
        """``[name, value]`` pairs, in document order."""
        return iter([[k, v or ""] for k, v in self._attrs.items()])

    def getAttribute(self, name: str) -> Any:
        value = self._attrs.get(str(name).lower(), False)
        return jsnull if value is False else (value or "")

    def hasAttribute(self, name: str) -> bool:
        return str(name).lower() in self._attrs

    def setAttribute(self, name: str, value: Any) -> Element:
        key, text = str(name).lower(), str(value)
        self._attrs[key] = text
        written = f'{key}="{text.replace(chr(34), "&quot;")}"'  # lol-html: double quotes, &quot;
        for i, (piece, raw) in enumerate(self._pieces):
            if piece == key:
                self._pieces[i] = (key, raw[: len(raw) - len(raw.lstrip())] + written)
                break
        else:
            self._pieces.append((key, " " + written))
        self._changed = True
        return self

    def removeAttribute(self, name: str) -> Element:
        key = str(name).lower()
        if self._attrs.pop(key, False) is not False:
            self._pieces = [(piece, raw) for piece, raw in self._pieces if piece != key]
            self._changed = True
        return self

    def prepend(self, content: Any, options: Any = None) -> Element:
        self._prepend.insert(0, _content(content, options))  # each prepend() goes first
        return self

    def append(self, content: Any, options: Any = None) -> Element:
        self._append.append(_content(content, options))
        return self

    def setInnerContent(self, content: Any, options: Any = None) -> Element:
        self._inner = _content(content, options)
        self._prepend, self._append = [], []
        return self

    def removeAndKeepContent(self) -> Element:
        self._keep_content = True
        return self

    def onEndTag(self, handler: Any) -> None:
        if self._void:
            raise TypeError("Parser error: No end tag.")
        self._end_handlers.append(_callable(handler))

    def _start(self) -> str:
        if self._keep_content:
            return ""
        if not self._changed and not self._renamed:
            return self._raw
        head = f"<{self._tag}" if self._renamed else self._raw[: self._head_end]
        return head + "".join(raw for _, raw in self._pieces) + self._tail

    def __repr__(self) -> str:
        return f"<Element {self._tag}>"


class EndTag(_Mutations):
    """Mirrors lol-html's ``EndTag`` (``el.onEndTag(fn)``): ``name``, ``before``, ``after``, ``remove``."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class TextChunk(_Mutations):
    """Mirrors lol-html's ``Text``: ``text``, ``lastInTextNode``, and the four mutations."""

    def __init__(self, text: str, last: bool) -> None:
        super().__init__()
        self.text = text
        self.lastInTextNode = last


class Comment(_Mutations):
    """Mirrors lol-html's ``Comment``: ``text`` (settable), ``before``/``after``/``replace``/``remove``."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Doctype:
    """Mirrors lol-html's ``Doctype``: ``name``, ``publicId``, ``systemId``."""

    def __init__(self, decl: str) -> None:
        words = decl.split(None, 2)
        self.name: Any = words[1].lower() if len(words) > 1 else jsnull
        quoted = re.findall(r'"([^"]*)"|\'([^\']*)\'', decl)
        values = [a or b for a, b in quoted]
        public = len(words) > 2 and words[2].upper().startswith("PUBLIC")
        self.publicId: Any = values[0] if public and values else jsnull
        self.systemId: Any = values[-1] if values and (not public or len(values) > 1) else jsnull


class DocumentEnd:
    """Mirrors lol-html's ``DocumentEnd``: ``append(content, options)``."""

    def __init__(self) -> None:
        self._append: list[str] = []

    def append(self, content: Any, options: Any = None) -> DocumentEnd:
        self._append.append(_content(content, options))
        return self


def _callable(fn: Any) -> Callable[[Any], Any]:
    unwrap = getattr(fn, "unwrap", None)  # create_proxy(fn)
    target = unwrap() if callable(unwrap) else fn
    if not callable(target):
        raise TypeError("HTMLRewriter: a handler must be a function")
    return target  # type: ignore[no-any-return]


def _handler(handlers: Any, name: str) -> Callable[[Any], Any] | None:
    unwrap = getattr(handlers, "unwrap", None)
    if callable(unwrap):
        handlers = unwrap()
    fn = handlers.get(name) if isinstance(handlers, Mapping) else getattr(handlers, name, None)
    return None if fn is None else _callable(fn)


def _call(fn: Callable[[Any], Any], token: Any) -> None:
    result = fn(token)
    if inspect.isawaitable(result):
        close = getattr(result, "close", None)
        if callable(close):
            close()
        raise TypeError(
            "HTMLRewriter: an async handler is not modelled by cfws-playground (the document is "
            "rewritten at once): make the handler a plain function"
        )


# ---------------------------------------------------------------------- the rewriter


@dataclass
class _Open:
    tag: str
    attrs: dict[str, str | None]
    element: Element | None
    suppressed: bool  # its content is not written (removed, replaced, setInnerContent)
    text_handlers: list[Callable[[Any], Any]]
    comment_handlers: list[Callable[[Any], Any]]


class _Rewrite(HTMLParser):
    def __init__(self, rewriter: HTMLRewriter) -> None:
        super().__init__(convert_charrefs=False)
        self.rw = rewriter
        self.out: list[str] = []
        self.stack: list[_Open] = []
        self.text: list[str] = []
        self._endtag_raw = ""

    @property
    def hidden(self) -> bool:
        return any(o.suppressed for o in self.stack)

    def _emit(self, text: str) -> None:
        if not self.hidden:
            self.out.append(text)

    def _flush_text(self) -> None:
        if not self.text:
            return
        raw, self.text = "".join(self.text), []
        handlers = [fn for o in self.stack for fn in o.text_handlers] + self.rw._document_handlers("text")
        if not handlers or self.hidden:
            self._emit(raw)
            return
        chunks = [TextChunk(raw, False), TextChunk("", True)]
        for chunk in chunks:
            for fn in handlers:
                _call(fn, chunk)
            self._emit(chunk._wrap(chunk.text))

    # tokens --------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush_text()
        raw = self.get_starttag_text() or f"<{tag}>"
        attr_map = dict(attrs)
        path = [(o.tag, o.attrs) for o in self.stack] + [(tag, attr_map)]
        element = Element(tag, attrs, raw)
        text_handlers: list[Callable[[Any], Any]] = []
        comment_handlers: list[Callable[[Any], Any]] = []
        matched = False
        for selector, handlers in self.rw._on:
            if not selector.matches(path):
                continue
            matched = True
            fn = _handler(handlers, "element")
            if fn is not None and not self.hidden and not element.removed:
                _call(fn, element)
            for name, into in (("text", text_handlers), ("comments", comment_handlers)):
                found = _handler(handlers, name)
                if found is not None:
                    into.append(found)
        void = tag in VOID or raw.rstrip().endswith("/>")
        if not matched:
            self._emit(raw)
            if not void:
                self.stack.append(_Open(tag, attr_map, None, False, [], []))
            return
        self._emit("".join(element._before))
        if element.removed:
            self._emit(element._replacement or "")
        else:
            self._emit(element._start())
            if not void:  # an element that cannot have content keeps none
                self._emit("".join(element._prepend))
                if element._inner is not None:
                    self._emit(element._inner)
        if void:
            self._emit("".join(element._after))
            return
        suppressed = element.removed or element._inner is not None
        self.stack.append(_Open(tag, attr_map, element, suppressed, text_handlers, comment_handlers))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # the raw text ends with "/>": no end tag is awaited

    def handle_endtag(self, tag: str) -> None:
        self._flush_text()
        if not any(o.tag == tag for o in self.stack):
            self._emit(f"</{tag}>")  # a stray end tag, written as it came
            return
        depth = max(i for i, o in enumerate(self.stack) if o.tag == tag)
        closing = self.stack[depth:]
        # One end tag closes them all (lol-html): if one of them was removed, the tag goes with it.
        swallowed = any(o.suppressed for o in closing[1:]) and not self.hidden_above(depth)
        del self.stack[depth:]
        for open_ in reversed(closing[1:]):
            self._close(open_, implied=True)
        if swallowed:
            self._emit_after(closing[0])
            return
        self._close(closing[0])

    def hidden_above(self, depth: int) -> bool:
        return any(o.suppressed for o in self.stack[:depth])

    def _emit_after(self, top: _Open) -> None:
        if top.element is not None:
            self._emit("".join(top.element._after))

    def _close(self, top: _Open, *, implied: bool = False) -> None:
        element = top.element
        raw = self.get_endtag_text(top.tag) if not implied else ""
        if element is None:
            self._emit(raw)
            return
        if element.removed:
            self._emit("".join(element._after))
            return
        self._emit("".join(element._append))
        if not implied:
            end = EndTag(element.tagName)
            for fn in element._end_handlers:
                _call(fn, end)
            written = raw if not (element._changed or element._renamed) else f"</{element.tagName}>"
            self._emit(end._wrap("" if element._keep_content else written))
        self._emit("".join(element._after))

    def get_endtag_text(self, tag: str) -> str:
        """The end tag as written in the document (its case and spacing), while it is handled."""
        return self._endtag_raw if self._endtag_raw.lower().startswith(f"</{tag}") else f"</{tag}>"

    def parse_endtag(self, i: int) -> int:
        close = self.rawdata.find(">", i)  # handle_endtag runs inside: keep the raw text first
        self._endtag_raw = self.rawdata[i : close + 1] if close >= 0 else ""
        return super().parse_endtag(i)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        self.text.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.text.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._flush_text()
        handlers = [fn for o in self.stack for fn in o.comment_handlers] + self.rw._document_handlers(
            "comments"
        )
        if not handlers or self.hidden:
            self._emit(f"<!--{data}-->")
            return
        comment = Comment(data)
        for fn in handlers:
            _call(fn, comment)
        self._emit(comment._wrap(f"<!--{comment.text}-->"))

    def handle_decl(self, decl: str) -> None:
        self._flush_text()
        if decl.lower().startswith("doctype"):
            for fn in self.rw._document_handlers("doctype"):
                _call(fn, Doctype(decl))
        self._emit(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self._flush_text()
        self._emit(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self._flush_text()
        self._emit(f"<![{data}]>")

    def finish(self) -> str:
        self.close()
        self._flush_text()
        while self.stack:  # elements the document never closed stay unclosed
            top = self.stack.pop()
            if top.element is not None and not top.element.removed:
                self._emit("".join(top.element._append))
        end = DocumentEnd()
        for fn in self.rw._document_handlers("end"):
            _call(fn, end)
        self.out.extend(end._append)
        return "".join(self.out)


class HTMLRewriter:
    """Mirrors ``HTMLRewriter``: ``HTMLRewriter.new().on(selector, handlers).transform(response)``."""

    def __init__(self) -> None:
        self._on: list[tuple[Selector, Any]] = []
        self._document: list[Any] = []

    @classmethod
    def new(cls) -> HTMLRewriter:
        """Mirrors ``new HTMLRewriter()``."""
        return cls()

    def on(self, selector: str, handlers: Any) -> HTMLRewriter:
        """Mirrors ``rewriter.on(selector, {element, text, comments})``.

        Raises:
            SelectorError: a selector lol-html cannot parse (a ``TypeError``).
            NotImplementedError: a pseudo-class, which lol-html has and this subset has not.
        """
        self._on.append((Selector.parse(str(selector)), handlers))
        return self

    def onDocument(self, handlers: Any) -> HTMLRewriter:
        """Mirrors ``rewriter.onDocument({doctype, comments, text, end})``."""
        self._document.append(handlers)
        return self

    def _document_handlers(self, name: str) -> list[Callable[[Any], Any]]:
        found = (_handler(h, name) for h in self._document)
        return [fn for fn in found if fn is not None]

    def rewrite(self, document: str) -> str:
        """The rewritten text of ``document`` (what ``transform`` puts in the new body)."""
        parser = _Rewrite(self)
        parser.feed(document)
        return parser.finish()

    def transform(self, response: Any) -> Any:
        """Mirrors ``rewriter.transform(response)``: a new ``Response`` with the rewritten body.

        Raises:
            TypeError: a response whose body is a stream not yet read (not modelled).
        """
        from ..http import Response as KitResponse
        from .jsobjects import JsResponse

        source = getattr(response, "js_object", response)  # the SDK's Response wraps the JS one
        if not isinstance(source, KitResponse):
            raise TypeError("HTMLRewriter.transform() takes a Response")
        if getattr(source, "_stream", None) is not None:
            raise TypeError(
                "HTMLRewriter.transform() of a streamed body is not modelled by cfws-playground: "
                "give the Response its body as text or bytes"
            )
        body = source._body
        text = None if body is None else self.rewrite(body.decode("utf-8", "replace"))
        headers = [(k, v) for k, v in source.headers.items() if k != "content-length"]
        out = KitResponse(
            None if text is None else text.encode(),
            status=source.status,
            headers=headers,
            statusText=source.statusText,
        )
        return JsResponse.of(out)

    def __repr__(self) -> str:
        return f"<HTMLRewriter {len(self._on)} selector(s)>"
