"""compatibility(): dates, flags, and the behaviour each pair keeps."""

from __future__ import annotations

import pytest

from cfws_playground import WebSocketPair, compatibility
from cfws_playground.compat import FLAGS


@pytest.mark.parametrize(
    "date,auto_reply,blob,reason_limit",
    [
        (None, True, True, True),
        ("2026-04-07", True, True, True),
        ("2026-04-06", False, True, True),
        ("2026-03-17", False, True, True),
        ("2026-03-16", False, False, True),
        ("2026-03-03", False, False, True),
        ("2026-03-02", False, False, False),
        ("2023-01-01", False, False, False),
    ],
)
def test_defaults_by_date(date: str | None, auto_reply: bool, blob: bool, reason_limit: bool) -> None:
    c = compatibility(date=date)
    assert (c.auto_reply_to_close, c.standard_binary_type, c.close_reason_byte_limit) == (
        auto_reply,
        blob,
        reason_limit,
    )


def test_flags_override_the_date() -> None:
    c = compatibility(
        date="2026-05-01", flags=["web_socket_manual_reply_to_close", "no_websocket_standard_binary_type"]
    )
    assert not c.auto_reply_to_close and not c.standard_binary_type and c.close_reason_byte_limit
    old = compatibility(date="2025-01-01", flags=["web_socket_auto_reply_to_close"])
    assert old.auto_reply_to_close and not old.standard_binary_type


def test_web_socket_compression_and_message_size() -> None:
    assert not compatibility(date="2023-08-14").web_socket_compression
    assert compatibility(date="2023-08-15").web_socket_compression
    assert compatibility().max_message_size == 32 << 20
    assert compatibility(flags=["increase_websocket_message_size"]).max_message_size == 128 << 20


def test_opt_in_flags_are_off_by_default() -> None:
    today = compatibility()
    assert not today.pedantic_wpt


def test_spec_compliant_dispatch_exceptions_is_on_from_2026_09_15() -> None:
    # measured on workerd 2026-11-17 (scenario: listener-raises-stops-or-continues)
    assert compatibility().spec_compliant_dispatch_exceptions
    assert compatibility(date="2026-09-15").spec_compliant_dispatch_exceptions
    assert not compatibility(date="2026-09-14").spec_compliant_dispatch_exceptions
    off = compatibility(flags=["no_spec_compliant_dispatch_exceptions"])
    assert not off.spec_compliant_dispatch_exceptions


@pytest.mark.parametrize("date", ["2026-4-7", "20260407", "2026-02-30", "next week", "2026-13-01"])
def test_malformed_dates_are_rejected(date: str) -> None:
    with pytest.raises(ValueError, match="compatibility date"):
        compatibility(date=date)


def test_unknown_flag_is_rejected_with_the_known_ones() -> None:
    with pytest.raises(ValueError) as err:
        compatibility(flags=["web_socket_auto_reply"])
    assert "unknown compatibility flag 'web_socket_auto_reply'" in str(err.value)
    assert "web_socket_auto_reply_to_close" in str(err.value)


def test_contradicting_flags_are_rejected() -> None:
    with pytest.raises(ValueError, match="contradict"):
        compatibility(flags=["web_socket_auto_reply_to_close", "web_socket_manual_reply_to_close"])


def test_flags_must_be_a_list() -> None:
    with pytest.raises(TypeError, match="list of flag names"):
        compatibility(flags="pedantic_wpt")  # type: ignore[arg-type]


def test_pairs_keep_the_behaviour_they_were_created_with() -> None:
    with compatibility(date="2025-09-01") as old:
        inside = WebSocketPair()
        assert compatibility.current() is old
    outside = WebSocketPair()
    assert inside.compatibility is old and not inside.compatibility.auto_reply_to_close
    assert outside.compatibility.auto_reply_to_close
    assert compatibility.current().date is None


def test_blocks_nest_and_cannot_be_reentered() -> None:
    outer = compatibility(date="2025-01-01")
    with outer:
        with compatibility(flags=["pedantic_wpt"]):
            assert compatibility.current().pedantic_wpt
        assert compatibility.current() is outer
        with pytest.raises(RuntimeError):
            outer.__enter__()


def test_describe_lists_every_flag() -> None:
    text = compatibility(date="2026-03-01").describe()
    assert text.splitlines()[0] == "compatibility(date='2026-03-01')"
    for flag in FLAGS:
        assert flag.enable in text
    assert "[off] web_socket_auto_reply_to_close (default from 2026-04-07)" in text
    assert "[on ] websocket_close_reason_byte_limit" not in text  # 2026-03-03 is after the date


def test_no_date_never_reads_the_clock() -> None:
    assert repr(compatibility()) == "compatibility()"
    assert compatibility().describe().startswith("today's runtime")
