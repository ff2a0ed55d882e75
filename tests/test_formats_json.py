"""The JSON format against its golden file (tests/golden/report.json; see report_slate.py to regenerate)."""

from __future__ import annotations

import json

from report_slate import BAD_ID, assert_golden, render, slate_report


def test_json_matches_golden(tmp_path, monkeypatch) -> None:
    assert_golden("report.json", render(slate_report(tmp_path, monkeypatch), "json"))


def test_json_carries_the_township_summary_as_data(tmp_path, monkeypatch) -> None:
    data = json.loads(render(slate_report(tmp_path, monkeypatch), "json"))
    by_name = {row["township"]: row for row in data["townships"]}
    assert by_name["城北镇"]["values"]["secretary_average_age"] == 47.0
    assert by_name["城北镇"]["values"]["young_secretary_share"] == 0.0
    assert by_name["城北镇"]["broken"] == {"secretary_average_age": "error", "young_secretary_share": "error",
                                          "women_on_committees": "warning"}
    assert by_name["丁堰镇"]["values"]["villages"] == 2.0
    assert by_name["丁堰镇"]["exempted"] == 1
    assert {r["id"]: r["violations"] for r in data["rules"]}["woman-on-committee"] == 2


def test_json_masks_identity_numbers(tmp_path, monkeypatch) -> None:
    text = render(slate_report(tmp_path, monkeypatch), "json").decode()
    assert BAD_ID not in text
    assert "320682********1234" in text
