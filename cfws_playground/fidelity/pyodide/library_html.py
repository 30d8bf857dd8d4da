# ruff: noqa: E501 - one scenario per entry: its claim and program as written
"""Python scenarios of ``js.HTMLRewriter``: lol-html in workerd against the kit's html.parser subset.

Each program rewrites a small page with handlers written as Python Workers code
writes them (a class whose methods are the handlers, given with ``create_proxy``)
and prints what the handlers saw and the body ``transform()`` produced.
"""

from __future__ import annotations

from .scenario import PyScenario

__all__ = ["HTML_SCENARIOS"]

HTML_SCENARIOS: list[PyScenario] = []
NEW = (("2026-11-17", ()),)

PAGE = (
    "<!DOCTYPE html><html><body><!-- note --><p class='intro big' id=top>Hi &amp; "
    '<a href="/a">one</a> <a href="https://x.org">two</a></p><img src=x.png>'
    "<ul><li>a<li>b</ul><br/></body></html>"
)

_RUN = f"""
from js import HTMLRewriter, Response, Object
from pyodide.ffi import create_proxy, to_js

PAGE = {PAGE!r}

async def run(rewriter, page=PAGE):
    out = rewriter.transform(Response.new(page, to_js({{"headers": {{"content-type": "text/html"}}}}, dict_converter=Object.fromEntries)))
    print("body", await out.text())

def html(value=True):
    return to_js({{"html": value}}, dict_converter=Object.fromEntries)
"""


def H(name: str, about: str, code: str) -> None:  # noqa: N802 - reads as a table row
    HTML_SCENARIOS.append(
        PyScenario("py-html-" + name, about, _RUN + code, configs=NEW, tags=("htmlrewriter",))
    )


H(
    "selectors",
    "on(selector) calls element() for the elements each simple, compound, child and descendant selector matches, in document order; an unchanged document comes out byte for byte.",
    """
class Seen:
    def __init__(self, selector):
        self.selector = selector
    def element(self, el):
        print(self.selector, el.tagName, el.getAttribute("href"), el.hasAttribute("id"))

rewriter = HTMLRewriter.new()
for selector in ["a", "p a", "body > a", "p > a[href^='/']", 'a[href$=".org"]', "#top", ".big", "p.intro.big", "[id]", "ul > li", "*"]:
    rewriter = rewriter.on(selector, create_proxy(Seen(selector)))
await run(rewriter)
""",
)

H(
    "attributes-and-content",
    "setAttribute/removeAttribute rewrite the start tag; before/after/prepend/append escape their content unless {html: true}; tagName can be set.",
    """
class Links:
    def element(self, el):
        el.setAttribute("rel", 'no"pener')
        el.removeAttribute("href")
        el.prepend("<i>", html())
        el.append("</i>", html())
        el.before("[")
        el.after("<]>")
        print("attributes", [list(a) for a in el.attributes])

class Rename:
    def element(self, el):
        el.tagName = "section"

await run(HTMLRewriter.new().on("a", create_proxy(Links())).on("p", create_proxy(Rename())))
""",
)

H(
    "remove-and-replace",
    "remove(), replace(), setInnerContent() and removeAndKeepContent() on elements; a void element keeps no content.",
    """
class Remove:
    def element(self, el):
        el.remove()
        print("removed", el.removed)

class Replace:
    def element(self, el):
        el.replace("<hr>", html())

class Inner:
    def element(self, el):
        el.setInnerContent("<b>new</b>", html())

class Keep:
    def element(self, el):
        el.removeAndKeepContent()

class Void:
    def element(self, el):
        print("img", el.tagName, el.removed)
        el.setInnerContent("x")
        el.append("y")

await run(HTMLRewriter.new().on("a[href^='https']", create_proxy(Remove())))
await run(HTMLRewriter.new().on("li", create_proxy(Replace())))
await run(HTMLRewriter.new().on("ul", create_proxy(Inner())))
await run(HTMLRewriter.new().on("p", create_proxy(Keep())))
await run(HTMLRewriter.new().on("img", create_proxy(Void())))
""",
)

H(
    "text-and-comments",
    "text() gets each text node inside a matched element, then an empty last chunk; comments() can replace a comment; end tags can be handled.",
    """
class Text:
    def text(self, chunk):
        print("text", repr(chunk.text), chunk.lastInTextNode)
        if chunk.text:
            chunk.replace(chunk.text.upper())
    def element(self, el):
        el.onEndTag(create_proxy(lambda end: end.after("!")))

class Comments:
    def comments(self, comment):
        print("comment", repr(comment.text))
        comment.replace("[gone]")

await run(HTMLRewriter.new().on("a", create_proxy(Text())).onDocument(create_proxy(Comments())))
""",
)

H(
    "document-handlers",
    "onDocument() sees the doctype and the end of the document, where it can append.",
    """
class Document:
    def doctype(self, doctype):
        print("doctype", doctype.name, doctype.publicId, doctype.systemId)
    def end(self, end):
        end.append("<!-- end -->", html())

await run(HTMLRewriter.new().onDocument(create_proxy(Document())))
""",
)

H(
    "options-as-a-dict",
    "A Python dict as the options works as the JS object would: {'html': True} inserts HTML, {'html': False} escapes it.",
    """
class Before:
    def element(self, el):
        el.before("<b>dict</b>", {"html": True})
        el.after("<b>object</b>", html())
        el.prepend("<b>escaped</b>", {"html": False})

await run(HTMLRewriter.new().on("img", create_proxy(Before())))
""",
)

H(
    "text-of-descendants-and-attribute-escaping",
    "A text handler on an element also gets the text of its descendants, entities as written; setAttribute writes the value in double quotes.",
    """
class Para:
    def text(self, chunk):
        print("text", repr(chunk.text), chunk.lastInTextNode)
    def element(self, el):
        el.setAttribute("title", "a & b < c \\"d\\" 'e'")
        print("title", el.getAttribute("title"))

await run(HTMLRewriter.new().on("p", create_proxy(Para())))
""",
)
