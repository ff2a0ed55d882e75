"""Generate realistic township folders of candidate slates, deterministic by seed.

One workbook per township, ~180 candidate rows: a merged title row, a 填报单位/日期 line, Chinese
headers drawn from the rule file's aliases (so header matching is exercised), the township cell
merged down the whole table and each village merged down its committee, birth dates in the forms
offices really type (text 1968.05, the number 1968.1, 1968年5月, real Excel dates), valid identity
numbers, a totals and signature footer, and a few deliberate violations per workbook.

The xlsx parts are written directly with zipfile (shared strings, a styles part with a date
format, merged ranges), which is ~50x faster than openpyxl and reads the same in Excel and
calamine. Workbook ``i`` of seed ``s`` is the same bytes whatever the folder size, so the
1,000-workbook folder is the first 1,000 of the 10,000.

    python benchmarks/generate.py benchmarks/data/1000 --count 1000 --seed 2007
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from rulecheck.table.idnumber import check_character
from rulecheck.table.header import column_letter as _col

SIZES = (1, 100, 1_000, 10_000)
MANIFEST = "manifest.json"
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_ZIP_TIME = (2007, 9, 12, 9, 30, 0)

# Name material; township names are three syllables indexed by the workbook number, so unique.
_SYLLABLES = list("东西南北桃李柳杨白石江河湖海山林丰安新华长永平福兴和吉祥盛宁泰康乐明光红金银青云")
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
_GIVEN = list("建国华明军平红英秀兰玉芳海涛伟刚勇敏静丽强磊洋艳杰娟霞峰鹏飞超春梅志刚文斌云亮新荣德成")
_VILLAGE_ENDINGS = ("村", "村", "村", "社区")
# Area codes: a Nantong-area prefix and 100 county codes, so that two made-up people rarely share an
# identity number (rulecheck reports a shared number as duplicate-person, as it should a real one).
_REGIONS = tuple(f"3206{n:02d}" for n in range(100))

# Header text per canonical column: the first is the usual form, the rest the rule file's aliases
# seen in real returns.
_HEADERS: dict[str, tuple[str, ...]] = {
    "township": ("镇(区)", "镇", "乡镇", "所属镇(区)", "镇(街道)"),
    "village": ("村(社区)", "村", "村名", "村(居)", "单位"),
    "name": ("姓名", "姓 名", "人选姓名"),
    "sex": ("性别",),
    "birth": ("出生年月", "出生日期", "出生年月日"),
    "id_number": ("身份证号", "公民身份号码", "身份证号码"),
    "role": ("拟任职务", "职务", "拟任党组织职务"),
    "retained": ("是否留任", "留任", "是否现任"),
    "commendation_years": ("近三年表彰年份", "市委市政府表彰年份"),
    "assessment_years": ("考核前列年份", "年度考核名列前茅年份"),
    "retention_reason": ("留任理由", "确因工作需要留任说明"),
    "nomination": ("提名方式", "推荐方式"),
    "commitment": ("公开承诺", "是否公开承诺"),
    "election_date": ("选举日期", "选举时间"),
}
_EXTRA = ("文化程度", "入党时间", "现任职务", "备注")  # columns no rule reads
_EDUCATION = ("高中", "中专", "大专", "本科", "初中")


@dataclass(frozen=True)
class Cell:
    """One cell to write: a string (shared), a number, or an Excel date serial (styled)."""

    value: str | float | int
    style: int = 0  # 0 general, 1 date yyyy-mm-dd, 2 text, 3 bold title


def township_name(i: int) -> str:
    """A unique three-syllable township name for workbook ``i`` (64,000 before repeating)."""
    n = len(_SYLLABLES)
    return _SYLLABLES[i % n] + _SYLLABLES[(i // n) % n] + _SYLLABLES[(i // n // n) % n] + "镇"


def identity_number(rng: random.Random, born: dt.date, male: bool) -> str:
    """A valid 18-character identity number for that birth date and sex."""
    sequence = rng.randrange(0, 100) * 10 + rng.randrange(0, 5) * 2 + (1 if male else 0)
    first17 = f"{rng.choice(_REGIONS)}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def _serial(day: dt.date) -> int:
    return (day - _EXCEL_EPOCH).days


def _birth_cell(rng: random.Random, born: dt.date) -> Cell:
    form = rng.random()
    if form < 0.35:
        return Cell(f"{born.year}.{born.month:02d}")  # text 1968.05
    if form < 0.55:
        return Cell(round(born.year + born.month / 100, 2))  # the number 1968.05; October is 1968.1
    if form < 0.7:
        return Cell(f"{born.year}年{born.month}月")
    if form < 0.85:
        return Cell(_serial(born), 1)  # a real Excel date
    return Cell(f"{born:%Y-%m-%d}")


def _person(rng: random.Random, role: str, retained: bool, age_range: tuple[int, int], female: bool) -> dict[str, Cell]:
    as_of = dt.date(2007, 10, 20)
    age = rng.randint(*age_range)
    born = dt.date(as_of.year - age - 1, rng.randint(1, 12), rng.randint(1, 28))
    born = born.replace(year=born.year + (1 if (born.month, born.day) <= (10, 20) else 0))
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return {
        "name": Cell(name),
        "sex": Cell("女" if female else "男"),
        "birth": _birth_cell(rng, born),
        "id_number": Cell(identity_number(rng, born, not female), 2),
        "role": Cell(role),
        "retained": Cell("是" if retained else "否"),
        "nomination": Cell("两推一考"),
        "commitment": Cell("是") if "书记" in role and "副" not in role else Cell(""),
        "_age": Cell(age),
        "_born": Cell(born.isoformat()),
    }


def _committee(rng: random.Random) -> list[dict[str, Cell]]:
    """One village's nominees: a secretary, maybe a deputy, members; a young cadre and a woman usually."""
    size = rng.choice((5, 6, 7, 7, 8, 9))
    people = [_person(rng, rng.choice(("书记", "书记", "党支部书记", "书记、主任")), rng.random() < 0.7, (30, 54), False)]
    if rng.random() < 0.6:
        people.append(_person(rng, "副书记", rng.random() < 0.6, (30, 54), rng.random() < 0.2))
    while len(people) < size:
        people.append(_person(rng, rng.choice(("委员", "委员", "党支部委员")), rng.random() < 0.5, (26, 56), rng.random() < 0.3))
    if rng.random() < 0.9:  # most villages have a young cadre and a woman on the committee
        people[-1] = _person(rng, "委员", False, (25, 31), True)
    if rng.random() < 0.03:
        people.append(_person(rng, "第一书记", False, (28, 40), rng.random() < 0.3))
    return people


def _violate(rng: random.Random, rows: list[dict[str, Cell]]) -> None:
    """A few deliberate mistakes of the kinds offices make."""
    for _ in range(rng.randint(1, 4)):
        row = rng.choice(rows)
        kind = rng.randrange(7)
        if kind in (0, 1) and not isinstance(row["id_number"].value, str):
            continue  # already mangled
        if kind == 0:  # a mistyped check character
            text = str(row["id_number"].value)
            row["id_number"] = Cell(text[:17] + ("0" if text[17] != "0" else "1"), 2)
        elif kind == 1:  # an identity number stored as a number: Excel kept 15 significant digits
            row["id_number"] = Cell(float(f"{float(str(row['id_number'].value)[:17]):.14e}"))  # e.g. 3.20682196805121E+17
        elif kind == 2:  # the birth month typed wrong
            born = dt.date.fromisoformat(str(row["_born"].value))
            row["birth"] = Cell(f"{born.year}.{(born.month % 12) + 1:02d}")
        elif kind == 3:  # a birth date no parser can read
            row["birth"] = Cell(rng.choice(("六八年五月", "1968..5", "不详")))
        elif kind == 4:  # retained at 56 with no exemption
            born = dt.date(1951, rng.randint(1, 9), rng.randint(1, 28))
            row.update(birth=Cell(f"{born.year}.{born.month:02d}"), retained=Cell("是"),
                       id_number=Cell(identity_number(rng, born, row["sex"].value == "男"), 2))
        elif kind == 5:  # a secretary without the public commitment
            row["commitment"] = Cell("否")
        else:  # a nomination method other than 两推一考
            row["nomination"] = Cell(rng.choice(("组织推荐", "个人自荐")))


def township_rows(rng: random.Random, township: str) -> list[dict[str, Cell]]:
    """Every nominee of one township, ~180 rows in ~25 villages."""
    rows: list[dict[str, Cell]] = []
    used: set[str] = set()
    while len(rows) < 170 + rng.randrange(20):
        village = township[:-1]
        while village in used or village == township[:-1]:
            village = rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES) + rng.choice(_VILLAGE_ENDINGS)
        used.add(village)
        election = dt.date(2007, 10, rng.randint(8, 20))
        for n, person in enumerate(_committee(rng)):
            person["village"] = Cell(village if n == 0 else "")  # merged down the committee
            person["election_date"] = Cell(_serial(election), 1) if rng.random() < 0.8 else Cell(f"{election:%Y.%m.%d}")
            if person["retained"].value == "是" and rng.random() < 0.1:
                person["commendation_years"] = Cell(rng.choice(("2005、2006", "2006、2007", "2005-2007", "2006")))
            if rng.random() < 0.5:
                person["education"] = Cell(rng.choice(_EDUCATION))
            rows.append(person)
    if rng.random() < 0.3:  # an exemption claimed properly
        row = rng.choice(rows)
        born = dt.date(1950, 3, 15)
        row.update(birth=Cell("1950.03"), retained=Cell("是"), commendation_years=Cell("2006、2007"),
                   retention_reason=Cell("确因工作需要,经镇党委研究同意留任"),
                   id_number=Cell(identity_number(rng, born, row["sex"].value == "男"), 2))
    _violate(rng, rows)
    return rows


@dataclass(frozen=True)
class Shape:
    """How one office lays out its return: which columns, in which order, under which headers."""

    columns: tuple[str, ...]  # canonical keys, or "#" (序号) and extras by their header text
    headers: tuple[str, ...]


def shape(rng: random.Random) -> Shape:
    """A column layout with alias variety; optional columns sometimes absent, extras sometimes present."""
    keys = ["#", "township", "village", "name", "sex", "birth", "id_number", "role", "retained",
            "commendation_years", "assessment_years", "retention_reason", "nomination", "commitment", "election_date"]
    for optional in ("assessment_years", "nomination", "election_date"):
        if rng.random() < 0.15:
            keys.remove(optional)
    if rng.random() < 0.3:  # sex and birth swapped, as in some offices' template
        a, b = keys.index("sex"), keys.index("birth")
        keys[a], keys[b] = keys[b], keys[a]
    extras = [e for e in _EXTRA if rng.random() < 0.3]
    keys += extras
    headers = tuple("序号" if k == "#" else k if k in _EXTRA else rng.choice(_HEADERS[k]) for k in keys)
    return Shape(tuple(keys), headers)


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def __call__(self, text: str) -> int:
        self.count += 1
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in self.index)
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_NS}" '
                f'count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>')


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _sheet_xml(grid: list[list[Cell | None]], merges: list[str], widths: list[float], strings: _Strings) -> str:
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}" xmlns:r="{_REL}">',
           f'<dimension ref="A1:{_col(len(widths) - 1)}{len(grid)}"/>',
           '<sheetViews><sheetView workbookViewId="0"><pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" state="frozen"/>'
           '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="14.25"/><cols>']
    out += [f'<col min="{j + 1}" max="{j + 1}" width="{w}" customWidth="1"/>' for j, w in enumerate(widths)]
    out.append("</cols><sheetData>")
    for r, row in enumerate(grid, 1):
        cells = []
        for j, cell in enumerate(row):
            if cell is None or cell.value == "":
                continue
            ref = f"{_col(j)}{r}"
            style = f' s="{cell.style}"' if cell.style else ""
            if isinstance(cell.value, str):
                cells.append(f'<c r="{ref}"{style} t="s"><v>{strings(cell.value)}</v></c>')
            else:
                cells.append(f'<c r="{ref}"{style}><v>{cell.value!r}</v></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    out.append("</sheetData>")
    out.append(f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>")
    out.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
    return "".join(out)


_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{_NS}"><numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy\\-mm\\-dd"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="宋体"/><charset val="134"/></font><font><b/><sz val="16"/><name val="宋体"/><charset val="134"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def _package(sheets: list[tuple[str, str]], strings: _Strings) -> dict[str, str]:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    sheet_list = "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, (name, _) in enumerate(sheets, 1))
    sheet_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
    n = len(sheets)
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f'{overrides}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>',
        "docProps/core.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:creator>组织办</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2007-09-12T01:30:00Z</dcterms:created></cp:coreProperties>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_NS}" xmlns:r="{_REL}">'
        f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheet_list}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{sheet_rels}<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/styles.xml": _STYLES,
    }
    for i, (_, xml) in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    parts["xl/sharedStrings.xml"] = strings.xml()
    return parts


def workbook(seed: int, i: int) -> tuple[str, bytes, dict]:
    """Workbook ``i`` of a folder: its file name, its xlsx bytes and its manifest entry."""
    import io

    rng = random.Random(seed * 1_000_003 + i)
    township = township_name(i)
    layout = shape(rng)
    rows = township_rows(rng, township)
    width = len(layout.columns)
    strings = _Strings()
    grid: list[list[Cell | None]] = [
        [Cell(f"{township}2007年村党组织换届拟任人选名单", 3)] + [None] * (width - 1),
        [Cell(f"填报单位:{township}党委(盖章)")] + [None] * (width - 4) + [Cell("填报日期:2007年9月12日")] + [None] * 2,
        [Cell(h) for h in layout.headers],
    ]
    for n, person in enumerate(rows, 1):
        line: list[Cell | None] = []
        for key in layout.columns:
            if key == "#":
                line.append(Cell(n))
            elif key == "township":
                line.append(Cell(township if n == 1 else ""))
            elif key == "文化程度":
                line.append(person.get("education"))
            else:
                line.append(person.get(key))
        grid.append(line)
    grid.append([Cell("合计"), None, None, Cell(f"{len(rows)}人")] + [None] * (width - 4))
    grid.append([Cell("填表人:王建华"), None, None, None, Cell("审核人:李国平")] + [None] * (width - 5))
    grid.append([Cell("注:出生年月按“1968.05”格式填写,身份证号码须为18位。")] + [None] * (width - 1))
    last = _col(width - 1)
    merges = [f"A1:{last}1", f"A2:{_col(width - 5)}2"]
    first_row = 4
    merges.append(f"{_col(layout.columns.index('township'))}{first_row}:{_col(layout.columns.index('township'))}{first_row + len(rows) - 1}")
    v = layout.columns.index("village")
    start = None
    for n, person in enumerate(rows + [{"village": Cell("end")}]):
        if person["village"].value != "":
            if start is not None and n - start > 1:
                merges.append(f"{_col(v)}{first_row + start}:{_col(v)}{first_row + n - 1}")
            start = n
    widths = [6.0 if k == "#" else 20.0 if k == "id_number" else 11.0 for k in layout.columns]
    sheets = [("拟任人选", _sheet_xml(grid, merges, widths, strings))]
    if rng.random() < 0.1:  # some offices keep the instructions in a second sheet
        sheets.append(("填表说明", _sheet_xml([[Cell("1. 本表由镇(区)党委填报。")], [Cell("2. 出生年月按身份证填写。")]],
                                              [], [60.0], strings)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name, text in _package(sheets, strings).items():
            z.writestr(zipfile.ZipInfo(name, _ZIP_TIME), text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    name = f"{i:05d}-{township}.xlsx"
    entry = {"file": name, "sheet": "拟任人选", "header_row": 3, "first_row": first_row, "rows": len(rows),
             "columns": [[h, k] for h, k in zip(layout.headers, layout.columns)]}
    return name, buffer.getvalue(), entry


def _write_range(folder: str, seed: int, start: int, stop: int) -> list[dict]:
    entries = []
    for i in range(start, stop):
        name, data, entry = workbook(seed, i)
        Path(folder, name).write_bytes(data)
        entries.append(entry)
    return entries


def generate(folder: Path, count: int, seed: int = 2007, workers: int = 1) -> list[Path]:
    """Write ``count`` township workbooks and a manifest.json into ``folder``; returns the workbooks."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    step = max(1, -(-count // (workers * 8)))
    bounds = [(start, min(count, start + step)) for start in range(0, count, step)]
    if workers > 1 and count > 50:
        with ProcessPoolExecutor(workers) as pool:
            chunks = list(pool.map(_write_range, *zip(*[(str(folder), seed, a, b) for a, b in bounds])))
    else:
        chunks = [_write_range(str(folder), seed, a, b) for a, b in bounds]
    entries = [e for chunk in chunks for e in chunk]
    (folder / MANIFEST).write_text(json.dumps({"seed": seed, "count": count, "workbooks": entries},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return [folder / e["file"] for e in entries]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to write; existing .xlsx there are replaced")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2007)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    written = generate(args.folder, args.count, args.seed, args.workers)
    print(f"{len(written)} workbooks in {args.folder}")


if __name__ == "__main__":
    main()
