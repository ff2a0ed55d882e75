"""Identity numbers masked in the report: 320682********1234."""

from __future__ import annotations

import pytest

from report_slate import BAD_ID, slate_report
from rulecheck.render.masking import mask_text


@pytest.mark.parametrize(("text", "masked"), [
    ("320682196805121234", "320682********1234"),
    ("32068219680512123X", "320682********123X"),
    ("32068219680512123x", "320682********123X"),
    ("320682680512123", "320682*****2123"),  # 15-character legacy number
    ("3206821968051212", "320682******1212"),  # a digit or two short: still personal
    ("身份证号 320682196805121234 无效", "身份证号 320682********1234 无效"),
    ("320682 19680512 1234", "320682********1234"),
    ("3.20682196805121E+17", "3.20682*********E+17"),
    ("3.2068219680512e+17", "3.20682********e+17"),
])
def test_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", ["13912345678", "2005、2006、2007", "1968.05", "20071020", "0513-87654321",
                                  "1234567890123456789012"])
def test_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_report_is_masked_in_messages_observed_and_evidence(tmp_path, monkeypatch) -> None:
    report = slate_report(tmp_path, monkeypatch)
    invalid = next(v for v in report.violations if v.rule == "id-number-invalid")
    assert invalid.observed == "320682********1234" and BAD_ID not in invalid.message
    shown = slate_report(tmp_path, monkeypatch, show_id=True)
    assert next(v for v in shown.violations if v.rule == "id-number-invalid").observed == BAD_ID
