"""Helpers for the fault suite: a good slate to put beside each bad file, and a run of the command line.

Every fault test builds its bad file in tmp_path, runs rulecheck on it together with a good slate,
and checks three things: the bad file's message, exit code 2, and that the good slate was still
checked (its rows counted, its violation found).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from typer.testing import CliRunner

from rulecheck.cli import app

HEADER = ["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任"]
# 张老 is 57 on 2007-10-20 and retained: retirement-age at row 2. The others are clean of it.
GOOD_ROWS = [
    ["城南镇", "一村", "张老", "男", "1950.01", "书记", "是"],
    ["城南镇", "一村", "李青", "女", "1985.03", "委员", "否"],
    ["城南镇", "一村", "王中", "男", "1970.06", "副书记", "否"],
]


def workbook(path: Path, rows: list[list[Any]], title: str = "名单") -> Path:
    """An xlsx with one sheet of these rows, as openpyxl writes it."""
    book = openpyxl.Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def good_slate(folder: Path, name: str = "good.xlsx") -> Path:
    return workbook(folder / name, [HEADER, *GOOD_ROWS])


@dataclass(frozen=True)
class Run:
    code: int
    report: dict[str, Any]
    stdout: str
    stderr: str

    def file(self, path: Path) -> dict[str, Any]:
        """The report's entry for one input file."""
        return next(f for f in self.report["files"] if f["path"] == str(path))

    def error(self, path: Path) -> str:
        message = self.file(path)["error"]
        assert message, f"{path} was expected to fail"
        return message


def run(*args: object, lang: str = "zh", fmt: str = "json") -> Run:
    """rulecheck's command line, in process; the report parsed when it is JSON."""
    result = CliRunner().invoke(app, [*map(str, args), "--format", fmt, "--lang", lang])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    report = json.loads(result.stdout) if fmt == "json" else {}
    return Run(result.exit_code, report, result.stdout, result.stderr)


def assert_good_checked(result: Run, good: Path, rows: int = 3) -> None:
    """The good slate beside a bad file was read and checked in full."""
    entry = result.file(good)
    assert entry["error"] is None and entry["rows"] == rows
    assert result.report["summary"]["rows"] == sum(f["rows"] for f in result.report["files"])
    hits = [(v["rule"], v["row"]) for v in result.report["violations"] if v["file"] == str(good)]
    assert ("retirement-age", 2) in hits


def check_bad(tmp_path: Path, bad: Path, *words: str, lang: str = "zh") -> Run:
    """Run a bad file beside a good slate: exit 2, the message has ``words``, the good slate was checked."""
    good = good_slate(tmp_path)
    result = run(bad, good, lang=lang)
    assert result.code == 2, result.stdout
    message = result.error(bad)
    for word in words:
        assert word in message, message
    assert f"{bad}: {message}" in result.stderr  # named on stderr too, for a terminal or CI log
    assert_good_checked(result, good)
    assert result.report["summary"]["not_checked_files"] == 1
    return result


def zip_with(path: Path, parts: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip package with exactly these parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def xlsx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def patched_xlsx(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """A copy of an xlsx with some parts replaced or added."""
    return zip_with(target, {**xlsx_parts(source), **replace})


SHEET = "xl/worksheets/sheet1.xml"


def ods(path: Path, rows: str, name: str = "名单") -> Path:
    """An OpenDocument spreadsheet with one table of these <table:table-row> elements."""
    return zip_with(path, {
        "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
            f'<table:table table:name="{name}">{rows}</table:table></office:spreadsheet></office:body></office:document-content>'),
        "META-INF/manifest.xml": ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                                  'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'),
    })


def ods_rows(rows: list[list[str]]) -> str:
    """Rows of text cells as OpenDocument XML."""
    return "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>' for v in row
    ) + "</table:table-row>" for row in rows)


# A worksheet whose entities expand a thousand million times: refused before any parser sees it.
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10))
    + ']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
).encode()
