"""ComparisonView: the kit and workerd side by side, played from the kernel side."""

from __future__ import annotations

import pytest

from cfws_playground.fidelity import Scenario, verify
from cfws_playground.fidelity.compare import Comparison, Result
from cfws_playground.widgets import ComparisonView
from cfws_playground.widgets.comparison import DIFFERS_BACKGROUND


def _tampered() -> Comparison:
    real = verify(["send-text", "send-object-as-text"], dates=["2026-11-17"], live=False)
    same, deliberate = real.results
    wrong = Result(same.scenario, same.config, same.kit, [*same.kit[:-1], 'b message W: "y" | a=1 b=1'])
    return Comparison([same, deliberate, wrong], real.source)


def test_the_view_lists_differing_runs_first_and_marks_the_rows() -> None:
    view = ComparisonView(_tampered())
    assert [label.split()[0] for label, _ in view.runs.options] == ["differs"]
    assert "b message W: &quot;y&quot;" in view.detail.value
    assert f'style="background:{DIFFERS_BACKGROUND}"' in view.detail.value
    assert "1 differ" in view.summary.value


def test_the_filter_shows_deliberate_runs_with_their_reason() -> None:
    view = ComparisonView(_tampered())
    view.filter.value = "deliberate"
    assert [label.split()[1] for label, _ in view.runs.options] == ["send-object-as-text"]
    assert "kit-decisions 1" in view.detail.value
    view.filter.value = "all"
    assert len(view.runs.options) == 3


def test_nothing_to_show_when_all_runs_match() -> None:
    view = ComparisonView(verify(["send-text"], live=False))
    assert view.runs.options == () and "Nothing to show" in view.detail.value
    assert view.text() == view.comparison.text()


def test_a_learners_scenario_without_reference_shows_as_missing() -> None:
    mine = Scenario("mine", "an echo", ("watch", "a.accept()", "b.accept()", "a.send('hi')"))
    view = ComparisonView(verify([mine], live=False))
    assert view.runs.options[0][0].startswith("missing")


def test_an_unknown_filter_is_refused() -> None:
    with pytest.raises(ValueError, match="show must be one of"):
        ComparisonView(verify(["send-text"], live=False), show="some")
