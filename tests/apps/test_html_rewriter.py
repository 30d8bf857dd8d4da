"""``js.HTMLRewriter``: lol-html's handler API on stdlib ``html.parser``."""

from __future__ import annotations

from typing import Any

import pytest

from cfws_playground.pyworkers.ffi import jsnull
from cfws_playground.pyworkers.htmlrewriter import HTMLRewriter, SelectorError

PAGE = (
    "<!DOCTYPE html><HTML><body><!-- note --><p class='intro big' id=top>Hi &amp; "
    '<a href="/a">one</a> <a href="https://x.org">two</a></P><img src=x.png>'
    "<ul><li>a<li>b</ul><script>if (a<b) go()</script><br/></body></HTML>"
)


def rewrite(selector: str, **handlers: Any) -> str:
    return HTMLRewriter.new().on(selector, handlers).rewrite(PAGE)


def test_a_document_no_handler_changes_comes_out_byte_for_byte() -> None:
    assert HTMLRewriter.new().rewrite(PAGE) == PAGE
    every = {"element": lambda e: None, "text": lambda t: None, "comments": lambda c: None}
    assert HTMLRewriter.new().on("*", every).rewrite(PAGE) == PAGE


@pytest.mark.parametrize(
    ("selector", "tags"),
    [
        ("a", ["a", "a"]),
        ("p a", ["a", "a"]),
        ("body > a", []),
        ("p > a[href^='/']", ["a"]),
        ('a[href$=".org"]', ["a"]),
        ("#top", ["p"]),
        (".big", ["p"]),
        ("p.intro.big", ["p"]),
        ("p.nope", []),
        ("[id]", ["p"]),
        ("ul > li", ["li"]),  # <li>a<li>b: as in lol-html, the second <li> is inside the first
        ("*", ["html", "body", "p", "a", "a", "img", "ul", "li", "li", "script", "br"]),
    ],
)
def test_selectors(selector: str, tags: list[str]) -> None:
    seen: list[str] = []
    rewrite(selector, element=lambda el: seen.append(el.tagName))
    assert seen == tags


def test_attributes_and_content() -> None:
    def element(el: Any) -> None:
        assert el.getAttribute("href") in ("/a", "https://x.org")
        assert el.getAttribute("missing") is jsnull and el.hasAttribute("href")
        el.setAttribute("rel", 'no"pener')
        el.prepend("<i>", {"html": True})
        el.append("</i>", {"html": True})
        el.before("[")
        el.after("<]>")  # escaped: text unless {"html": True}

    out = rewrite("a", element=element)
    assert '[<a href="/a" rel="no&quot;pener"><i>one</i></a>&lt;]&gt;' in out
    assert list(HTMLRewriter.new().on("a", {}).rewrite("<a x=1 y>")) == list("<a x=1 y>")


def test_attributes_not_touched_stay_as_written() -> None:
    def element(el: Any) -> None:
        el.setAttribute("title", 'a & "b"')

    assert "<p class='intro big' id=top title=\"a & &quot;b&quot;\">" in rewrite("p", element=element)
    renamed = rewrite("p", element=lambda el: setattr(el, "tagName", "div"))
    assert "<div class='intro big' id=top>Hi" in renamed and renamed.count("</div>") == 1


def test_an_end_tag_that_closes_a_removed_element_goes_with_it() -> None:
    out = rewrite("li", element=lambda el: el.replace("<hr>", {"html": True}))
    assert "<ul><hr><script>" in out  # lol-html: </ul> closed the removed <li> (which held the second)


def test_remove_replace_inner_content_and_keep_content() -> None:
    assert "<p" not in rewrite("p", element=lambda el: el.remove())
    assert "<p" not in rewrite("p", element=lambda el: el.replace("<hr>", {"html": True}))
    assert "<hr><img" in rewrite("p", element=lambda el: el.replace("<hr>", {"html": True}))
    assert "<ul>new</ul>" in rewrite("ul", element=lambda el: el.setInnerContent("new"))
    kept = rewrite("a", element=lambda el: el.removeAndKeepContent())
    assert "Hi &amp; one two</P>" in kept
    assert rewrite("img", element=lambda el: el.setInnerContent("x")).count("<img src=x.png>x") == 0


def test_tag_name_and_end_tag_handlers() -> None:
    def element(el: Any) -> None:
        el.tagName = "strong"
        el.onEndTag(lambda end: end.after("!"))

    assert '<strong href="/a">one</strong>!' in rewrite("a", element=element)
    with pytest.raises(TypeError, match="No end tag"):
        rewrite("img", element=lambda el: el.onEndTag(lambda end: None))


def test_text_chunks_and_comments() -> None:
    chunks: list[tuple[str, bool]] = []
    rewrite("a", text=lambda t: chunks.append((t.text, t.lastInTextNode)))
    assert chunks == [("one", False), ("", True), ("two", False), ("", True)]
    upper = rewrite("a", text=lambda t: t.replace(t.text.upper()))
    assert ">ONE</a>" in upper
    doc = HTMLRewriter.new().onDocument({"comments": lambda c: c.replace("[gone]")}).rewrite(PAGE)
    assert "<!-- note -->" not in doc and "[gone]" in doc


def test_document_handlers() -> None:
    seen: list[Any] = []

    def end(e: Any) -> None:
        e.append("<!-- end -->", {"html": True})

    out = HTMLRewriter.new().onDocument({"doctype": lambda d: seen.append(d.name), "end": end}).rewrite(PAGE)
    assert seen == ["html"] and out.endswith("</HTML><!-- end -->")


def test_selectors_it_cannot_read_and_pseudo_classes_it_does_not_model() -> None:
    with pytest.raises(SelectorError):
        HTMLRewriter.new().on("a[", {})
    with pytest.raises(SelectorError):
        HTMLRewriter.new().on("", {})
    with pytest.raises(NotImplementedError, match=":nth-child\\(2\\) is not modelled"):
        HTMLRewriter.new().on("li:nth-child(2)", {})


def test_an_async_handler_is_refused_clearly() -> None:
    async def element(el: Any) -> None:
        pass

    with pytest.raises(TypeError, match="an async handler is not modelled"):
        rewrite("a", element=element)
