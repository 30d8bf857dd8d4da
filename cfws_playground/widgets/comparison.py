"""``ComparisonView``: the kit and workerd side by side, one scenario at a time.

It renders a :class:`~cfws_playground.fidelity.Comparison` (what ``verify`` or
``await averify(...)`` returns): a filter (differing, deliberate, all), the
list of scenario runs, and the two transcripts of the selected run in columns,
the rows that differ marked. ``print(view.text())`` gives the comparison's own
text, for notebooks checked by nbval.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..fidelity.compare import Comparison, Result
from ..fidelity.scenario import config_key
from ._common import style_tag

__all__ = ["ComparisonView"]

_FILTERS = {
    "differ": ("differs", "missing"),
    "deliberate": ("deliberate",),
    "all": ("same", "differs", "deliberate", "missing"),
}
DIFFERS_BACKGROUND = "var(--cfws-differs, rgba(198, 40, 40, 0.18))"
#: Each status in a colour of the widgets' style sheet (fallback: its light-theme value).
_COLORS = {
    "same": "var(--cfws-ok, #1b5e20)",
    "differs": "var(--cfws-error, #b71c1c)",
    "deliberate": "var(--cfws-warn, #a84300)",
    "missing": "var(--cfws-muted, #616161)",
}


def _label(r: Result) -> str:
    return f"{r.status:<10} {r.scenario.name} [{config_key(r.config)}]"


def side_by_side_html(r: Result) -> str:
    """The two transcripts of one run as an HTML table; differing rows highlighted."""
    rows = []
    for same, x, y in r.rows():
        # A translucent red over the theme's own background: light pink under dark text in a
        # light theme, dark red under light text in a dark one (a fixed #ffebee was 1.14:1 there).
        style = "" if same else f' style="background:{DIFFERS_BACKGROUND}"'
        rows.append(
            f"<tr{style}><td><code>{html.escape(x)}</code></td><td><code>{html.escape(y)}</code></td></tr>"
        )
    head = (
        f"<p><b>{html.escape(r.scenario.name)}</b> [{html.escape(config_key(r.config))}] "
        f'<span style="color:{_COLORS[r.status]}">{r.status}</span>: {html.escape(r.scenario.about)}</p>'
    )
    if r.status == "deliberate":
        head += f"<p><i>{html.escape(r.scenario.deliberate or '')}</i></p>"
    return head + "<table><tr><th>kit</th><th>workerd</th></tr>" + "".join(rows) + "</table>"


class ComparisonView(w.VBox):  # type: ignore[misc]
    """A live view of a comparison: pick a run, see both transcripts.

    Args:
        comparison: what :func:`~cfws_playground.fidelity.verify` returned.
        show: ``"differ"`` (default), ``"deliberate"`` or ``"all"``.
    """

    def __init__(self, comparison: Comparison, *, show: str = "differ", **kwargs: Any) -> None:
        if show not in _FILTERS:
            raise ValueError(f"show must be one of {sorted(_FILTERS)}, not {show!r}")
        self.comparison = comparison
        self.filter = w.ToggleButtons(options=list(_FILTERS), value=show, description="show")
        self.runs = w.Select(rows=8, layout=w.Layout(width="100%"))
        self.detail = w.HTML()
        self.summary = w.HTML(f"{style_tag()}<p>{html.escape(comparison.summary())}</p>")
        self.filter.observe(self._refilter, names="value")
        self.runs.observe(self._show, names="value")
        super().__init__([self.summary, self.filter, self.runs, self.detail], **kwargs)
        self.add_class("cfws-comparison")
        self._refilter()

    def _visible(self) -> list[Result]:
        wanted = _FILTERS[self.filter.value]
        return [r for r in self.comparison.results if r.status in wanted]

    def _refilter(self, change: Any = None) -> None:
        visible = self._visible()
        self.runs.options = [(_label(r), i) for i, r in enumerate(visible)]
        self.runs.value = 0 if visible else None
        self._show()

    def _show(self, change: Any = None) -> None:
        visible = self._visible()
        if self.runs.value is None or not visible:
            self.detail.value = "<p>Nothing to show: every run here is the same as workerd's.</p>"
            return
        self.detail.value = side_by_side_html(visible[self.runs.value])

    def text(self) -> str:
        """The comparison as text (what nbval compares)."""
        return self.comparison.text()

    def __repr__(self) -> str:
        return self.text()
