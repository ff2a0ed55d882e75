"""GitHub workflow annotations: golden file, and escaping of what GitHub would read as syntax."""

from __future__ import annotations

from dataclasses import replace

from report_slate import assert_golden, render, slate_report


def test_github_matches_golden(tmp_path, monkeypatch) -> None:
    assert_golden("report.github.txt", render(slate_report(tmp_path, monkeypatch), "github"))


def test_annotations_point_at_file_and_row(tmp_path, monkeypatch) -> None:
    lines = render(slate_report(tmp_path, monkeypatch), "github").decode().splitlines()
    assert lines[0].startswith("::error file=slate.xlsx,line=3,title=retirement-age ")
    assert sum(line.startswith("::warning ") for line in lines) == 2
    assert sum(line.startswith("::notice ") for line in lines) == 1
    assert not lines[-1].startswith("::")  # the closing summary is plain log text


def test_message_and_properties_are_escaped(tmp_path, monkeypatch) -> None:
    report = slate_report(tmp_path, monkeypatch)
    odd = replace(report.violations[0], file="a,b:c.xlsx", message="50%\nnext")
    report = replace(report, violations=(odd,), rule_titles={odd.rule: "x,y"})
    line = render(report, "github").decode().splitlines()[0]
    assert line.startswith("::error file=a%2Cb%3Ac.xlsx,line=3,title=retirement-age x%2Cy::")
    assert line.endswith("50%25\\nnext")  # a line feed from a cell is shown escaped (formats/inert.py), then % is
