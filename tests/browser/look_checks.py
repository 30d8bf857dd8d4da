"""How the widgets look in a real browser: contrast, overlapping labels, clipped text, overflow.

Each check is a script run in the page (Playwright's ``page.evaluate``) that
measures what chromium rendered, so a colour that reads well in one theme and
not in another, or a label drawn over another, fails whatever the CSS says.

- :data:`CONTRAST` -- every text of the widgets under a selector, with the
  WCAG 2 contrast ratio of its computed colour (``fill`` for SVG text; the
  opacity of it and its ancestors blended in) against its effective background:
  the first non-transparent background found walking up from the element
  (an SVG shape drawn under an SVG text counts), with translucent backgrounds
  composited over what is under them.
- :data:`SVG_LABEL_OVERLAPS` -- pairs of texts in one SVG whose boxes
  intersect, and arrow labels that cross their own arrow's line.
- :data:`CLIPPED_TEXT` -- elements whose text is wider than the element shows
  (cut, or ended with an ellipsis).
- :data:`HORIZONTAL_OVERFLOW` -- scrolling containers wider inside than out.

:func:`set_theme` switches JupyterLab (or JupyterLite, or Notebook 7) to a theme and waits
until it applies; :func:`show_every_output` scrolls each widget into view first, so a long
notebook has rendered it.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CLIPPED_TEXT",
    "CONTRAST",
    "HORIZONTAL_OVERFLOW",
    "MINIMUM_CONTRAST",
    "SVG_LABEL_OVERLAPS",
    "WIDGETS",
    "set_theme",
    "show_every_output",
]

#: WCAG 2 AA for normal text.
MINIMUM_CONTRAST = 4.5

#: Every kind of widget the kit renders, by its root element.
WIDGETS = ".cfws-stream, .cfws-sequence, .cfws-inspector, .cfws-browser, .cfws-console, .cfws-comparison"

CONTRAST = """(selector) => {
  const parse = (s) => {
    const m = s && s.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {  // top composited over an opaque `under`
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => {
    const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  // The background of an HTML element: composite translucent layers from the first opaque one up.
  const htmlBackground = (node) => {
    const layers = [];
    for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = c[3] >= 1 ? c : over(c, bg);
    return bg;
  };
  // An SVG text: the SVG shape drawn before it under its centre, else the HTML under the <svg>.
  const svgBackground = (text) => {
    const svg = text.ownerSVGElement;
    const r = text.getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    const shapes = [...svg.querySelectorAll('rect, circle, ellipse, polygon, path')]
      .filter(s => s.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING);
    let bg = htmlBackground(svg);
    for (const s of shapes) {
      const b = s.getBoundingClientRect();
      if (cx < b.left || cx > b.right || cy < b.top || cy > b.bottom) continue;
      const fill = parse(getComputedStyle(s).fill);
      if (!fill || fill[3] === 0) continue;
      const op = Number(getComputedStyle(s).fillOpacity) * Number(getComputedStyle(s).opacity);
      bg = over([fill[0], fill[1], fill[2], fill[3] * op], bg);
    }
    return bg;
  };
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const node of root.querySelectorAll('*')) {
      const own = [...node.childNodes].filter(c => c.nodeType === 3).map(c => c.textContent).join('').trim();
      if (!own) continue;
      const style = getComputedStyle(node);
      const r = node.getBoundingClientRect();
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      if (r.width === 0 || r.height === 0) continue;
      if (['option', 'title', 'style'].includes(node.tagName.toLowerCase())) continue;
      const isSvg = node instanceof SVGElement;
      let fg = parse(isSvg ? style.fill : style.color);
      if (!fg) continue;
      const bg = isSvg ? svgBackground(node) : htmlBackground(node);
      let alpha = fg[3];
      for (let n = node; n && n !== document.body; n = n.parentElement) {
        alpha *= Number(getComputedStyle(n).opacity);
      }
      fg = over([fg[0], fg[1], fg[2], alpha], bg);
      out.push({
        widget: root.className.baseVal === undefined ? root.className : root.className.baseVal,
        tag: node.tagName.toLowerCase(),
        cls: (node.getAttribute('class') || ''),
        text: own.slice(0, 40),
        fg: fg.slice(0, 3).map(Math.round), bg: bg.slice(0, 3).map(Math.round),
        ratio: Math.round(ratio(fg, bg) * 100) / 100,
      });
    }
  }
  return out;
}"""

SVG_LABEL_OVERLAPS = """(selector) => {
  const out = [];
  const svgs = [...document.querySelectorAll(selector)];
  svgs.forEach((svg, index) => {
    const texts = [...svg.querySelectorAll('text')].map(t => ({t, r: t.getBoundingClientRect()}))
      .filter(x => x.r.width > 0);
    // The ink of a monospace line is narrower than its box's height: shrink 1 px each way.
    const hit = (a, b) => a.left + 1 < b.right - 1 && b.left + 1 < a.right - 1 &&
                          a.top + 1 < b.bottom - 1 && b.top + 1 < a.bottom - 1;
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++)
        if (hit(texts[i].r, texts[j].r))
          out.push({svg: index, a: texts[i].t.textContent, b: texts[j].t.textContent});
    // A label must not sit on its own arrow's line.
    const m = svg.getScreenCTM();
    for (const g of svg.querySelectorAll('g.arrow')) {
      const line = g.querySelector('line'), text = g.querySelector('text');
      if (!line || !text) continue;
      const p = (x, y) => new DOMPoint(x, y).matrixTransform(m);
      const a = p(line.x1.baseVal.value, line.y1.baseVal.value);
      const b = p(line.x2.baseVal.value, line.y2.baseVal.value);
      const r = text.getBoundingClientRect();
      let crosses = false;
      for (let k = 0; k <= 200 && !crosses; k++) {
        const x = a.x + (b.x - a.x) * k / 200, y = a.y + (b.y - a.y) * k / 200;
        crosses = x > r.left + 1 && x < r.right - 1 && y > r.top + 1 && y < r.bottom - 1;
      }
      if (crosses) out.push({svg: index, a: text.textContent, b: '(its own arrow)'});
    }
  });
  return out;
}"""

CLIPPED_TEXT = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => e.getBoundingClientRect().width > 0 && e.scrollWidth > e.clientWidth + 1)
  .map(e => ({text: e.textContent.trim(), shown: e.clientWidth, needs: e.scrollWidth}))"""

HORIZONTAL_OVERFLOW = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => e.getBoundingClientRect().width > 0 && e.scrollWidth > e.clientWidth + 1)
  .map(e => ({cls: e.className, shown: e.clientWidth, needs: e.scrollWidth}))"""


def set_theme(page: Any, theme: str) -> None:
    """Switch to ``theme`` ("JupyterLab Light", "JupyterLab Dark") and wait until it applies."""
    light = "true" if theme == "JupyterLab Light" else "false"
    page.evaluate("(t) => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme)
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'", timeout=30_000)
    page.wait_for_timeout(1500)  # the theme's stylesheet applies after the attribute changes


def show_every_output(page: Any, selector: str) -> None:
    """A long notebook renders only the cells near the viewport: scroll each widget into view."""
    count = page.locator(selector).count()
    for i in range(count):
        page.locator(selector).nth(i).scroll_into_view_if_needed()
    page.wait_for_timeout(300)
