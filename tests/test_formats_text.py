"""The terminal report against golden files, in Chinese and in English."""

from __future__ import annotations

from report_slate import BAD_ID, assert_golden, render, slate_report


def test_text_matches_golden(tmp_path, monkeypatch) -> None:
    assert_golden("report.txt", render(slate_report(tmp_path, monkeypatch), "text"))


def test_english_text_matches_golden(tmp_path, monkeypatch) -> None:
    assert_golden("report.en.txt", render(slate_report(tmp_path, monkeypatch, lang="en"), "text"))


def test_text_masks_identity_numbers_unless_asked(tmp_path, monkeypatch) -> None:
    assert BAD_ID not in render(slate_report(tmp_path, monkeypatch), "text").decode()
    assert BAD_ID in render(slate_report(tmp_path, monkeypatch, show_id=True), "text").decode()
