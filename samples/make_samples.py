"""Write the sample slates in samples/: what township offices actually send.

    python samples/make_samples.py              # rewrite samples/ in place
    python samples/make_samples.py OUT          # write into another folder
    python samples/make_samples.py --no-convert # skip LibreOffice; write the .xls/.ods sources to OUT/_sources

Deterministic: the same cells every run. The .xls and .ods in per-village/ are converted from
xlsx sources by LibreOffice (``soffice``) when it is installed; without it the committed files
are kept as they are. Every sample's expected outcome is stated in samples/README.md and asserted
by tests/test_samples.py.

All ages are on 2007-10-20, the rule file's as_of day.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from rulecheck.table.idnumber import check_character

AS_OF = dt.date(2007, 10, 20)
AREA = "320682"  # 如皋市
HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2007, 8, 28, 9, 0, 0)


# --------------------------------------------------------------------------- people and villages


@dataclass
class Person:
    """One nominee. ``form`` says how the 出生年月 cell is typed; ``id`` how the 身份证号 is."""

    name: str
    sex: str  # 男 / 女, as the ID number has it
    born: dt.date | None
    role: str
    retained: str = "否"
    form: str = "dot2"  # dot2 '1968.05', dot1 '1968.5', cn '1968年5月', num 1968.05 (1968.1 = October),
    #                     date (an Excel date), ymd '19680512', dash '1968-05-12', blank
    birth_cell: object = None  # overrides ``form``: the cell exactly as typed
    sex_cell: str | None = None  # overrides the 性别 cell (the ID keeps ``sex``)
    id: str = "text"  # text, bad-check, float (an 18-digit number typed as a number), legacy15, blank
    commend: str = ""
    assess: str = ""
    reason: str = ""
    nomination: str = "两推一考"
    commitment: str | None = None  # default: 是 for a secretary, blank for the others
    education: str = "高中"


@dataclass
class Village:
    township: str
    name: str
    election: object  # the 选举日期 cell
    people: list[Person] = field(default_factory=list)


def age(born: dt.date, on: dt.date = AS_OF) -> int:
    """周岁 on ``on``: the birthday itself counts."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _is_secretary(role: str) -> bool:
    return role.startswith("书记") or role in ("党支部书记", "党总支书记")


class Ids:
    """Deterministic identity numbers: 320682 + birth date + sequence (odd: male) + check character."""

    def __init__(self, start: int) -> None:
        self.k = start

    def make(self, born: dt.date, male: bool, digits_only: bool = False) -> str:
        while True:
            self.k += 1
            seq = f"{(10 + 2 * self.k + (1 if male else 0)) % 1000:03d}"
            first17 = f"{AREA}{born:%Y%m%d}{seq}"
            check = check_character(first17)
            if not digits_only or check != "X":
                return first17 + check

    def legacy15(self, born: dt.date, male: bool) -> str:
        self.k += 1
        return f"{AREA}{born:%y%m%d}{(10 + 2 * self.k + (1 if male else 0)) % 1000:03d}"


def birth_cell(p: Person) -> object:
    if p.birth_cell is not None:
        return p.birth_cell
    b = p.born
    if p.form == "blank" or b is None:
        return None
    return {
        "dot2": lambda: f"{b.year}.{b.month:02d}",
        "dot1": lambda: f"{b.year}.{b.month}",
        "cn": lambda: f"{b.year}年{b.month}月",
        "num": lambda: float(f"{b.year}.{b.month:02d}"),  # 1968.10 typed into Excel is kept as 1968.1
        "date": lambda: b,
        "ymd": lambda: f"{b:%Y%m%d}",
        "dash": lambda: f"{b:%Y-%m-%d}",
    }[p.form]()


def id_cell(p: Person, ids: Ids) -> object:
    male = p.sex == "男"
    if p.id == "blank" or p.born is None:
        return None
    if p.id == "legacy15":
        return ids.legacy15(p.born, male)
    if p.id == "float":
        # Excel keeps 15 significant digits of a number: the last three digits become 000
        return float(ids.make(p.born, male, digits_only=True)[:15] + "000")
    number = ids.make(p.born, male)
    if p.id == "bad-check":
        return number[:17] + ("0" if number[17] != "0" else "1")
    return number


def cells(p: Person, ids: Ids) -> dict[str, object]:
    """A person's cells by column key (township, village, seq and election are set per village)."""
    commitment = p.commitment if p.commitment is not None else ("是" if _is_secretary(p.role) else None)
    return {
        "name": p.name, "sex": p.sex_cell or p.sex, "birth": birth_cell(p), "id": id_cell(p, ids),
        "role": p.role, "retained": p.retained, "commend": p.commend or None, "assess": p.assess or None,
        "reason": p.reason or None, "nomination": p.nomination or None, "commitment": commitment,
        "education": p.education, "age": age(p.born) if p.born else None,
    }


# --------------------------------------------------------------------------- writing a slate sheet

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_slate(ws, villages: list[Village], headers: list[tuple[str, str]], title: str, unit: str,
                ids: Ids, footer: list[str], village_column: bool = True) -> None:
    """One slate on one sheet: merged title, 填报单位 line, header, merged township/village/date cells."""
    keys = [k for k, _ in headers if village_column or k != "village"]
    texts = dict(headers)
    width = len(keys)
    ws.cell(1, 1, title).font = Font(size=16, bold=True)
    ws.cell(1, 1).alignment = CENTRE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, unit)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(1, width - 4))
    ws.cell(2, width - 3, f"填报日期:{FIXED_TIME.year}年{FIXED_TIME.month}月{FIXED_TIME.day}日")
    ws.merge_cells(start_row=2, start_column=width - 3, end_row=2, end_column=width)
    for j, key in enumerate(keys, 1):
        c = ws.cell(3, j, texts[key])
        c.font, c.alignment, c.border = Font(bold=True), CENTRE, BOX
    row, seq = 4, 0
    for v in villages:
        first = row
        for i, p in enumerate(v.people):
            seq += 1
            values = {**cells(p, ids), "seq": seq, "township": v.township if row == 4 else None,
                      "village": v.name if i == 0 else None, "election": v.election if i == 0 else None}
            for j, key in enumerate(keys, 1):
                c = ws.cell(row, j, values.get(key))
                c.border, c.alignment = BOX, CENTRE
                if key == "id" and isinstance(values[key], str):
                    c.number_format = "@"
                if key in ("birth", "election") and isinstance(values[key], dt.date):
                    c.number_format = "yyyy.mm" if key == "birth" else "yyyy-mm-dd"
            row += 1
        for key in ("village", "election"):
            if key in keys and row - first > 1:
                col = keys.index(key) + 1
                ws.merge_cells(start_row=first, start_column=col, end_row=row - 1, end_column=col)
    if "township" in keys and row - 1 > 4:  # one township per sheet: merged down the whole table
        col = keys.index("township") + 1
        ws.merge_cells(start_row=4, start_column=col, end_row=row - 1, end_column=col)
    people = sum(len(v.people) for v in villages)
    for line in footer:
        ws.cell(row, 1, line.format(villages=len(villages), people=people))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        row += 1
    for j, key in enumerate(keys, 1):
        ws.column_dimensions[get_column_letter(j)].width = {"id": 21, "reason": 30}.get(key, 10)


def new_book() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.properties.creator = "rulecheck samples"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def save(wb: openpyxl.Workbook, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.properties.modified = FIXED_TIME
    wb.save(path)


# --------------------------------------------------------------------------- clean-township.xlsx

CLEAN_HEADERS = [
    ("seq", "序号"), ("township", "镇(区)"), ("village", "村(社区)"), ("name", "姓 名"), ("sex", "性别"),
    ("birth", "出生年月"), ("education", "文化程度"), ("id", "身份证号"), ("role", "拟任职务"),
    ("retained", "是否留任"), ("commend", "近三年表彰年份"), ("assess", "考核前列年份"), ("reason", "留任理由"),
    ("nomination", "提名方式"), ("commitment", "公开承诺"), ("election", "选举日期"),
]


def clean_township() -> list[Village]:
    """丁堰镇: every rule passes, several exactly at the boundary."""
    t = "丁堰镇"
    d = dt.date
    return [
        Village(t, "丁堰社区", d(2007, 10, 12), [
            # exactly 35 on 2007-10-20; 1972.1 is a typed 1972.10, read as October
            Person("季建华", "男", d(1972, 10, 20), "书记", "是", form="num", education="大专"),
            Person("缪志强", "男", d(1966, 4, 18), "副书记", "是", form="dot2"),
            Person("陆燕", "女", d(1977, 9, 3), "委员", "否", form="dot1", education="本科"),
            Person("冒卫东", "男", d(1961, 7, 26), "委员", "是", form="cn"),
        ]),
        Village(t, "皋南村", d(2007, 10, 15), [
            Person("徐海峰", "男", d(1974, 3, 8), "书记", "否", form="dot2", education="本科"),
            Person("吴桂兰", "女", d(1969, 5, 21), "委员", "是", form="date"),
            Person("张磊", "男", d(1978, 6, 14), "委员", "否", form="ymd", education="大专"),
        ]),
        Village(t, "花园村", d(2007, 10, 8), [
            # retained at 56: exempt (commended 2006 and 2007, and a written reason)
            Person("朱德明", "男", d(1951, 6, 15), "书记", "是", form="cn", commend="2006、2007",
                   reason="连续两年获市委、市政府表彰;村级工业园区二期建设正在实施,确因工作需要留任"),
            Person("钱晓梅", "女", d(1975, 4, 2), "副书记", "否", form="dot1", education="大专"),  # exactly 32
            Person("顾正林", "男", d(1963, 2, 19), "委员", "是", form="dot2"),
        ]),
        Village(t, "沿南村", d(2007, 10, 18), [
            Person("何国平", "男", d(1953, 2, 11), "书记", "是", form="date", commitment="√"),  # retained at 54
            Person("孙丽华", "女", d(1976, 8, 30), "委员", "否", form="dot2"),
            Person("黄志刚", "男", d(1957, 1, 9), "委员", "是", form="num"),  # 1957.01
            Person("曹俊", "男", d(1980, 5, 5), "委员", "否", form="dot2", education="本科"),
        ]),
        Village(t, "堰南村", d(2007, 9, 28), [
            Person("石建国", "男", d(1959, 8, 23), "书记、主任", "是", form="date"),
            Person("蒋红霞", "女", d(1971, 1, 17), "委员", "是", form="num"),
            Person("陈浩", "男", d(1982, 7, 11), "委员", "否", form="dot1", education="大专"),
            Person("周永祥", "男", d(1955, 9, 30), "副书记", "是", form="dot2"),  # 52
        ]),
        Village(t, "新联村", d(2007, 10, 10), [
            Person("许卫兵", "男", d(1961, 1, 5), "书记", "是", form="ymd"),
            Person("王春燕", "女", d(1978, 2, 27), "委员", "否", form="cn", education="大专"),
            Person("丁建明", "男", d(1964, 6, 6), "委员", "是", form="dot2"),
            Person("冯志华", "男", d(1960, 3, 15), "委员", "是", form="dot2"),
            Person("邵军", "男", d(1967, 10, 1), "委员", "是", form="num"),  # 1967.1: October
        ]),
        Village(t, "凤山村", d(2007, 10, 16), [
            Person("储金山", "男", d(1959, 4, 12), "党支部书记", "是", form="dot2"),
            Person("刘晓红", "女", d(1973, 3, 25), "委员", "是", form="dot1"),
            Person("沈剑", "男", d(1976, 12, 1), "委员", "否", form="dot2", education="本科"),
            Person("杨国庆", "男", d(1962, 10, 1), "委员", "是", form="dash"),
        ]),
        Village(t, "陈庄村", d(2007, 10, 20), [  # elected on the deadline itself
            Person("姜为民", "男", d(1967, 5, 9), "书记", "是", form="dot2"),
            Person("潘玉梅", "女", d(1979, 11, 11), "委员", "否", form="dot2", education="大专"),
            Person("戴明", "男", d(1968, 12, 24), "委员", "是", form="cn"),
        ]),
    ]


def write_clean(out: Path) -> None:
    villages = clean_township()
    secretaries = [age(p.born) for v in villages for p in v.people if _is_secretary(p.role)]
    assert sum(secretaries) / len(secretaries) == 45.0, secretaries  # the boundary: exactly 45.0 passes
    wb = new_book()
    ws = wb.active
    ws.title = "丁堰镇"
    write_slate(ws, villages, CLEAN_HEADERS, "丁堰镇村党组织换届选举拟任人选名单",
                "填报单位(盖章):中共如皋市丁堰镇委员会", Ids(100),
                ["合计:{villages}个村(社区),拟任人选{people}名",
                 "备注:1.出生年月以身份证为准;2.是否留任填“是”或“否”;3.留任人选年满55周岁的须填写表彰、考核年份及留任理由。"])
    save(wb, out / "clean-township.xlsx")


# --------------------------------------------------------------------------- real-shapes/joint-posts.xlsx

ROLES_HEADERS = [
    ("seq", "序号"), ("township", "镇(区)"), ("village", "村(社区)"), ("name", "姓名"), ("sex", "性别"),
    ("birth", "出生年月"), ("age", "年龄(周岁)"), ("id", "身份证号"), ("role", "拟任职务"), ("retained", "是否留任"),
    ("nomination", "提名方式"), ("commitment", "公开承诺"),
]


def roles_township() -> list[Village]:
    """白蒲镇: joint posts and bracketed notes in 拟任职务, and two nominees known only by their 年龄."""
    t = "白蒲镇"
    d = dt.date
    return [
        Village(t, "东陈村", None, [
            Person("陈国强", "男", d(1970, 5, 6), "书记(兼主任)", "是"),  # 37: a secretary, and the only one
            Person("徐建华", "男", d(1975, 2, 2), "副书记（主持工作）", "否"),  # full-width brackets
            Person("陈小燕", "女", d(1980, 3, 3), "委员(兼会计)", "否"),  # 27: the young cadre, the woman
        ]),
        Village(t, "西场村", None, [
            Person("顾立新", "男", d(1972, 5, 1), "党支部书记、村委会主任", "是", commitment="是"),  # 35
            Person("吴桂英", "女", d(1974, 7, 7), "支委【妇女委员】", "否", form="blank", id="blank"),  # 年龄 33 only
            Person("朱亮", "男", d(1982, 1, 1), "委员", "否"),  # 25
        ]),
        Village(t, "南庄村", None, [
            Person("钱志明", "男", d(1974, 4, 4), "书记兼主任", "否"),  # 33
            Person("赵文博", "男", d(1978, 9, 9), "第一书记(兼副书记)", "否"),  # sent in: a notice
            Person("孙丽", "女", d(1979, 6, 6), "委员", "否"),  # 28
            Person("钱德贵", "男", d(1962, 8, 8), "村委会主任", "否"),  # not a Party-committee role: an error
        ]),
        Village(t, "北窑村", None, [
            Person("周长林", "男", d(1968, 1, 15), "书记", "是", form="blank", id="blank"),  # 年龄 39 only
            Person("冯秀兰", "女", d(1976, 11, 11), "副书记", "否"),
            Person("马俊", "男", d(1984, 2, 2), "委员", "否"),  # 23
        ]),
    ]


def write_real_roles(out: Path) -> None:
    """real-shapes/joint-posts.xlsx: a township slate with joint posts, notes and ages written as numbers."""
    wb = new_book()
    ws = wb.active
    ws.title = "白蒲镇"
    write_slate(ws, roles_township(), ROLES_HEADERS, "白蒲镇村党组织换届拟任人选名单", "填报单位:中共白蒲镇委员会",
                Ids(700), ["合计:{villages}个村,{people}人"])
    save(wb, out / "real-shapes" / "joint-posts.xlsx")


# --------------------------------------------------------------------------- every-rule-broken.xlsx

BROKEN_HEADERS = [
    ("seq", "序号"), ("township", "乡镇"), ("village", "村名"), ("name", "姓名"), ("sex", "性别"),
    ("birth", "出生日期"), ("id", "公民身份号码"), ("role", "职务"), ("retained", "留任"),
    ("commend", "市委市政府表彰"), ("assess", "年度考核名列前茅"), ("reason", "确因工作需要留任说明"),
    ("nomination", "提名方式"), ("commitment", "是否公开承诺"), ("election", "选举时间"),
]


def broken_township() -> list[Village]:
    """石庄镇: every rule of rules/rugao-2007.yaml is broken at least once."""
    t = "石庄镇"
    d = dt.date
    return [
        Village(t, "石北村", d(2007, 10, 14), [  # two secretaries; no woman
            Person("陈国华", "男", d(1946, 3, 2), "书记", "否", form="dot2"),  # new nominee, 61
            Person("王建军", "男", d(1957, 5, 19), "党支部书记", "是", form="dot2"),
            Person("刘俊", "男", d(1977, 8, 8), "委员", "否", form="dot2"),
            Person("周明", "男", d(1950, 11, 30), "委员", "", form="cn"),  # 56, 是否留任 left blank
        ]),
        Village(t, "石南村", d(2007, 10, 16), [  # no secretary: only a deputy (and a first secretary)
            Person("黄卫国", "男", d(1960, 6, 1), "副书记", "是", form="dot2"),
            Person("孙秀英", "女", d(1967, 4, 4), "委员", "是", form="dot1"),
            Person("吴斌", "男", d(1978, 2, 2), "委员", "否", form="dot2"),
            Person("赵宏伟", "男", d(1971, 9, 9), "第一书记", "否", form="dot2", education="研究生"),
        ]),
        Village(t, "高明村", d(2007, 10, 25), [  # elected after the deadline; no one aged 32 or under
            # retained, 55 on the day itself; 2005 and 2007 are not consecutive: not exempt
            Person("缪长林", "男", d(1952, 10, 20), "书记", "是", form="num", commend="2005、2007",
                   assess="2006", reason="工作需要"),
            Person("顾春兰", "女", d(1969, 12, 12), "委员", "是", form="dot2"),
            Person("钱进", "男", d(1967, 1, 21), "委员", "是", form="dot2"),
            Person("冒建新", "男", d(1962, 7, 7), "委员", "是", form="dot2"),
        ]),
        Village(t, "庄桥村", d(2007, 10, 11), [
            Person("朱海", "男", d(1963, 5, 15), "书记", "是", form="dot2", commitment="否"),
            Person("陆小红", "男", d(1976, 3, 3), "委员", "否", form="dot2", sex_cell="女"),  # the ID says male
            Person("蒋峰", "男", d(1970, 5, 20), "委员", "是", birth_cell="1970.03"),  # the ID says May
            Person("葛春雷", "男", d(1972, 9, 9), "委员", "是", form="dot2", id="bad-check"),
            Person("许建", "男", d(1965, 12, 1), "委员", "否", form="dot2", nomination="组织提名"),
        ]),
        Village(t, "新河社区", "2007年10月", [  # an election date without a day
            Person("沙志明", "男", d(1955, 4, 10), "书记、主任", "是", form="dot2"),
            Person("邹玉兰", "女", d(1979, 5, 5), "委员", "否", form="dot2"),
            Person("蔡晓东", "男", d(1980, 3, 15), "委员", "否", form="dot2", id="float"),
            Person("韩立", "男", d(1966, 8, 8), "委员", "是", birth_cell="66.8"),
            Person("马红军", "男", None, "委员", "是", id="blank"),
            Person("卢平", "男", d(1964, 1, 1), "村委会主任", "是", form="dot2"),
            Person("曹磊", "男", d(1975, 10, 10), "委员", "否", form="dot2", sex_cell="难"),
            Person("邹玉兰", "女", d(1979, 5, 5), "委员", "否", form="dot2"),  # listed twice
        ]),
    ]


def write_broken(out: Path) -> None:
    wb = new_book()
    ws = wb.active
    ws.title = "石庄镇"
    write_slate(ws, broken_township(), BROKEN_HEADERS, "石庄镇村党组织换届选举拟任人选名单",
                "填报单位:石庄镇党委", Ids(300),
                ["合计:{villages}个村,{people}人", "备注:表中“职务”指拟任村党组织职务。"])
    save(wb, out / "every-rule-broken.xlsx")


# --------------------------------------------------------------------------- real-shapes/: headers and townships

# Three villages each: a secretary, a woman and a young cadre on every committee, the secretaries' average
# age 42.3 with one of three aged 35 or under; the third person of the first village is retained at 57.
REAL_PEOPLE = [
    ("一村", [("书记", "男", dt.date(1972, 3, 5), "是"), ("委员", "女", dt.date(1980, 5, 9), "否"),
              ("委员", "男", dt.date(1950, 2, 14), "是")]),
    ("二村", [("书记", "男", dt.date(1962, 6, 1), "是"), ("副书记", "女", dt.date(1975, 8, 8), "否"),
              ("委员", "男", dt.date(1968, 11, 20), "是")]),
    ("三村", [("书记", "男", dt.date(1960, 1, 2), "是"), ("委员", "女", dt.date(1979, 4, 4), "否"),
              ("委员", "男", dt.date(1970, 9, 9), "否")]),
]


def _real_rows(names: list[str]) -> list[tuple[str, str, str, str, dt.date, str]]:
    """(village, name, role, sex, born, retained) for each person of REAL_PEOPLE, named from ``names``."""
    people = [(v, role, sex, born, kept) for v, persons in REAL_PEOPLE for role, sex, born, kept in persons]
    return [(v, name, role, sex, born, kept) for name, (v, role, sex, born, kept) in zip(names, people)]


def _boxed(ws, rows: range, columns: int) -> None:
    for r in rows:
        for c in range(1, columns + 1):
            ws.cell(r, c).border, ws.cell(r, c).alignment = BOX, CENTRE


def _merge_villages(ws, first_row: int, column: int, rows: list[tuple]) -> None:
    """Each village's cell merged down its rows, the value in the top cell only."""
    start = first_row
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[start - first_row][0]:
            if first_row + i - 1 > start:
                ws.merge_cells(start_row=start, start_column=column, end_row=first_row + i - 1, end_column=column)
            start = first_row + i


def write_real_heads(out: Path) -> None:
    """real-shapes/: a header over two rows, a birth date in two columns, a township's slate with no 镇 column
    (townships no other sample has: checked together, two files of one township are one township)."""
    folder = out / "real-shapes"
    # two-row-header.xlsx: 基本情况 over 姓名/性别/出生年月/身份证号, 拟任情况 over 拟任职务/是否留任, 序号, 镇(区),
    # 村(社区) and 备注 merged down both rows, a hint row (年.月) (18位) under them; candidates from row 6.
    wb = new_book()
    ws = wb.active
    ws.title = "白蒲镇"
    ws.cell(1, 1, "白蒲镇村党组织换届拟任人选名单").font = Font(size=16, bold=True)
    ws.merge_cells("A1:J1")
    ws.cell(2, 1, "填报单位:中共白蒲镇委员会")
    ws.merge_cells("A2:F2")
    for col, text in {1: "序号", 2: "镇(区)", 3: "村(社区)", 4: "基本情况", 8: "拟任情况", 10: "备注"}.items():
        ws.cell(3, col, text).font = Font(bold=True)
    for col, text in enumerate(["姓名", "性别", "出生年月", "身份证号", "拟任职务", "是否留任"], 4):
        ws.cell(4, col, text).font = Font(bold=True)
    for cells in ("A3:A4", "B3:B4", "C3:C4", "J3:J4", "D3:G3", "H3:I3"):
        ws.merge_cells(cells)
    ws.cell(5, 6, "(年.月)")
    ws.cell(5, 7, "(18位)")
    ids = Ids(700)
    rows = _real_rows(["顾建平", "陈小芳", "吴长林", "朱卫国", "钱秀英", "孙德兵", "周海东", "郑丽", "王金宝"])
    for i, (village, name, role, sex, born, kept) in enumerate(rows):
        r = 6 + i
        values = [i + 1, "白蒲镇" if i == 0 else None, village, name, sex, f"{born.year}.{born.month:02d}",
                  ids.make(born, sex == "男"), role, kept, None]
        for col, value in enumerate(values, 1):
            if value is not None:
                ws.cell(r, col, value)
        ws.cell(r, 7).number_format = "@"
    ws.merge_cells(start_row=6, start_column=2, end_row=5 + len(rows), end_column=2)
    _merge_villages(ws, 6, 3, rows)
    _boxed(ws, range(3, 6 + len(rows)), 10)
    ws.column_dimensions["G"].width = 21
    save(wb, folder / "two-row-header.xlsx")

    # birth-year-month.xlsx: 出生 over 年 | 月, the year and the month typed as numbers in two columns.
    wb = new_book()
    ws = wb.active
    ws.title = "吴窑镇"
    ws.cell(1, 1, "吴窑镇村党组织换届拟任人选名单").font = Font(size=16, bold=True)
    ws.merge_cells("A1:H1")
    for col, text in enumerate(["镇(区)", "村(社区)", "姓名", "性别", "出生", None, "拟任职务", "是否留任"], 1):
        if text:
            ws.cell(2, col, text).font = Font(bold=True)
    ws.cell(3, 5, "年")
    ws.cell(3, 6, "月")
    for cells in ("A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2", "G2:G3", "H2:H3"):
        ws.merge_cells(cells)
    rows = _real_rows(["缪国华", "冒红梅", "季德才", "陆永生", "许晓燕", "黄启明", "蔡志军", "邵玲", "葛长春"])
    for i, (village, name, role, sex, born, kept) in enumerate(rows):
        for col, value in enumerate(["吴窑镇" if i == 0 else None, village, name, sex, born.year, born.month, role,
                                     kept], 1):
            if value is not None:
                ws.cell(4 + i, col, value)
    ws.merge_cells(start_row=4, start_column=1, end_row=3 + len(rows), end_column=1)
    _merge_villages(ws, 4, 2, rows)
    _boxed(ws, range(2, 4 + len(rows)), 8)
    save(wb, folder / "birth-year-month.xlsx")

    # 磨头镇.xlsx: a township's own slate, no 镇(区) column: the township is in the title only.
    wb = new_book()
    ws = wb.active
    ws.title = "名单"
    ws.cell(1, 1, "磨头镇村党组织换届拟任人选名单").font = Font(size=16, bold=True)
    ws.merge_cells("A1:G1")
    ws.cell(2, 1, f"填报日期:{FIXED_TIME.year}年{FIXED_TIME.month}月{FIXED_TIME.day}日")
    for col, text in enumerate(["序号", "村(社区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任"], 1):
        ws.cell(3, col, text).font = Font(bold=True)
    rows = _real_rows(["储建新", "沈晓兰", "曹宝山", "姜立新", "潘月琴", "戴国兵", "严卫东", "冯小燕", "汤金富"])
    for i, (village, name, role, sex, born, kept) in enumerate(rows):
        for col, value in enumerate([i + 1, village, name, sex, f"{born.year}.{born.month:02d}", role, kept], 1):
            ws.cell(4 + i, col, value)
    _merge_villages(ws, 4, 2, rows)
    _boxed(ws, range(3, 4 + len(rows)), 7)
    save(wb, folder / "磨头镇.xlsx")


# --------------------------------------------------------------------------- no-birth-column.xlsx

NO_BIRTH_HEADERS = [
    ("seq", "序号"), ("township", "镇(区)"), ("village", "村(社区)"), ("name", "姓名"), ("sex", "性别"),
    ("role", "拟任职务"), ("retained", "是否留任"), ("commitment", "公开承诺"),
]


def no_birth_township() -> list[Village]:
    """城北镇: no 出生年月, no 身份证号 and no 年龄 column: the age rules cannot be checked."""
    t = "城北镇"
    d = dt.date
    return [
        Village(t, "北郊村", None, [
            Person("杨永福", "男", d(1951, 2, 3), "书记", "是"),  # retained at 56: only the ages would show it
            Person("施红梅", "女", d(1972, 6, 6), "委员", "否"),
            Person("丁小兵", "男", d(1981, 9, 9), "委员", "否"),
        ]),
        Village(t, "新桥村", None, [
            Person("李志刚", "男", d(1963, 4, 4), "书记", "是"),
            Person("王芳", "女", d(1978, 8, 8), "委员", "否"),
            Person("陆强", "男", d(1983, 3, 3), "委员", "否"),
        ]),
    ]


def write_no_birth(out: Path) -> None:
    wb = new_book()
    ws = wb.active
    ws.title = "城北镇"
    write_slate(ws, no_birth_township(), NO_BIRTH_HEADERS, "城北镇村党组织换届拟任人选名单", "填报单位:城北镇党委",
                Ids(500), [])
    save(wb, out / "no-birth-column.xlsx")


# --------------------------------------------------------------------------- per-village/

PV_HEADERS = [
    ("seq", "序号"), ("township", "所属镇"), ("village", "村(社区)"), ("name", "姓名"), ("sex", "性别"),
    ("birth", "出生年月"), ("id", "身份证号码"), ("role", "拟任职务"), ("retained", "是否留任"),
    ("commend", "近三年表彰年份"), ("assess", "考核前列年份"), ("reason", "留任理由"),
    ("nomination", "提名方式"), ("commitment", "公开承诺"), ("election", "选举日期"),
]


def per_village() -> list[Village]:
    """搬经镇, one village per file. Only 搬经社区 has a secretary aged 35 or under: the township's
    average age (44.0) and young share (1/5 = 20%) pass only when all five files are counted."""
    t = "搬经镇"
    d = dt.date
    return [
        Village(t, "搬经社区", d(2007, 10, 9), [
            Person("邓海军", "男", d(1973, 6, 18), "书记", "否", form="dot2", education="本科"),  # 34
            Person("管玉琴", "女", d(1970, 2, 14), "副书记", "是", form="dot2"),
            Person("陈亮", "男", d(1979, 9, 1), "委员", "否", form="dot1"),
            Person("夏志远", "男", d(1981, 4, 12), "第一书记", "否", form="dot2", education="本科"),
        ]),
        Village(t, "夏庄村", d(2007, 10, 13), [  # no woman
            Person("孙建平", "男", d(1957, 3, 30), "书记", "是", form="date"),  # 50
            Person("仲伟", "男", d(1976, 11, 2), "委员", "否", form="date"),  # 30
            Person("刘根宝", "男", d(1962, 5, 5), "委员", "是", form="date"),
        ]),
        Village(t, "刘圩村", "2007-10-19", [
            Person("李金龙", "男", d(1960, 7, 4), "书记", "是", form="cn"),  # 47
            Person("陶秀梅", "女", d(1977, 1, 26), "委员", "否", form="ymd"),  # 30
            Person("王福生", "男", d(1956, 2, 3), "委员", "是", form="cn", id="legacy15"),  # 51, 15-digit ID
        ]),
        Village(t, "孙庄村", d(2007, 10, 17), [
            Person("钱卫东", "男", d(1963, 10, 8), "书记", "是", form="num"),  # 44; 1963.1 = October
            Person("孙美华", "女", d(1975, 12, 28), "委员", "否", form="num"),  # 31
            # retained at 55, exempt: top of the township assessment in 2006 and 2007, and a reason
            Person("陈长根", "男", d(1952, 8, 16), "委员", "是", form="num", assess="2006年 2007年",
                   reason="熟悉村里土地流转工作,群众威信高,确因工作需要留任"),
        ]),
        Village(t, "高庄村", d(2007, 10, 15), [
            Person("朱永红", "男", d(1962, 4, 20), "书记、主任", "是", form="date"),  # 45
            Person("严小芳", "女", d(1975, 8, 8), "副书记", "否", form="date"),  # 32
            Person("邱建", "男", d(1969, 3, 3), "委员", "是", form="date"),
            Person("姚兵", "男", d(1971, 6, 6), "委员", "是", form="date"),
        ]),
    ]


def write_per_village(out: Path, convert: bool) -> None:
    folder = out / "per-village"
    folder.mkdir(parents=True, exist_ok=True)
    v1, v2, v3, v4, v5 = per_village()
    ids = Ids(500)

    # village-01.xlsx: a village column, and an instructions sheet with no header
    wb = new_book()
    ws = wb.active
    ws.title = "拟任人选"
    write_slate(ws, [v1], PV_HEADERS, "搬经镇搬经社区党组织换届选举拟任人选名单", "填报单位:搬经社区党总支", ids,
                ["合计:{people}人(第一书记不参加选举)"])
    note = wb.create_sheet("填表说明")
    for i, line in enumerate(["填表说明", "1.本表由各村(社区)党组织填写,报镇党委组织办。",
                              "2.出生年月、性别以身份证为准。", "3.第一书记单独列出,不参加选举。"], 1):
        note.cell(i, 1, line)
    save(wb, folder / "village-01.xlsx")

    # village-02.xlsx: no village column; the village is the sheet name
    wb = new_book()
    ws = wb.active
    ws.title = v2.name
    write_slate(ws, [v2], PV_HEADERS, "搬经镇村党组织换届选举拟任人选名单", "填报单位:夏庄村党支部", ids, [],
                village_column=False)
    save(wb, folder / "village-02.xlsx")

    # village-03.csv: saved by Excel as CSV in GBK; no 提名方式 column; the township only on its first row
    write_csv(v3, folder / "village-03.csv", ids)

    # village-04.xls and village-05.ods: converted by LibreOffice from xlsx sources
    sources = {}
    wb = new_book()
    ws = wb.active
    ws.title = v4.name
    write_slate(ws, [v4], PV_HEADERS, "搬经镇村党组织换届选举拟任人选名单", "填报单位:孙庄村党支部", ids,
                ["备注:陈长根同志2006、2007年度连续两年在镇年度综合考核中名列前茅。"], village_column=False)
    sources["village-04.xls"] = wb
    wb = new_book()
    ws = wb.active
    ws.title = "Sheet1"
    headers = [(k, {"village": "村", "township": "镇"}.get(k, h)) for k, h in PV_HEADERS]
    write_slate(ws, [v5], headers, "搬经镇高庄村党组织换届选举拟任人选名单", "填报单位:高庄村党总支", ids, [])
    sources["village-05.ods"] = wb
    write_converted(sources, folder, out / "_sources", convert)


def write_csv(v: Village, path: Path, ids: Ids) -> None:
    keys = [k for k, _ in PV_HEADERS if k not in ("nomination", "seq")]
    texts = dict(PV_HEADERS)
    texts["village"] = "村名"
    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator="\r\n")
    w.writerow(["搬经镇刘圩村党组织换届选举拟任人选名单"] + [""] * (len(keys) - 1))
    w.writerow([texts[k] for k in keys])
    for i, p in enumerate(v.people):
        values = {**cells(p, ids), "township": v.township if i == 0 else "", "village": v.name,
                  "election": v.election if i == 0 else ""}
        w.writerow(["" if values.get(k) is None else values[k] for k in keys])
    path.write_bytes(buffer.getvalue().encode("gbk"))


def write_converted(sources: dict[str, openpyxl.Workbook], folder: Path, keep: Path, convert: bool) -> None:
    """Convert xlsx sources with LibreOffice; without it (or with --no-convert) keep the sources in ``keep``."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not convert or soffice is None:
        if convert:
            print("soffice not found: the committed .xls/.ods are kept; sources written to", keep, file=sys.stderr)
        for name, wb in sources.items():
            save(wb, keep / (Path(name).stem + ".xlsx"))
        return
    with tempfile.TemporaryDirectory() as tmp:
        for name, wb in sources.items():
            src = Path(tmp) / (Path(name).stem + ".xlsx")
            save(wb, src)
            target = Path(name).suffix.lstrip(".")
            subprocess.run(
                [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", target,
                 "--outdir", str(folder), str(src)],
                check=True, capture_output=True, timeout=180,
            )


# --------------------------------------------------------------------------- service-centres.xlsx


def write_service_centres(out: Path) -> None:
    """For rules/public-service-centre.yaml: one row per village."""
    rows = [
        # township, village, office rooms, office area (m²), new rural members, of whom economically capable
        ("丁堰镇", "丁堰社区", 1, 40, 3, 1),  # exactly 40 m²: passes
        ("丁堰镇", "皋南村", 1, 36, 3, 1),
        ("丁堰镇", "花园村", 1, 38.5, 4, 1),
        ("丁堰镇", "沿南村", 1, 32, 2, 1),  # 丁堰镇: 4 of 12, exactly 1/3: passes
        ("搬经镇", "搬经社区", 1, 41, 4, 2),  # 41 m²: fails
        ("搬经镇", "夏庄村", 2, 35, 3, 1),  # two office rooms: fails
        ("搬经镇", "刘圩村", 1, "40㎡", 3, 1),  # typed with its unit
        ("搬经镇", "孙庄村", 1, 30, 3, 0),  # 搬经镇: 4 of 13, under 1/3: fails
    ]
    wb = new_book()
    ws = wb.active
    ws.title = "统计表"
    headers = ["序号", "镇(区)", "村(社区)", "集中办公室间数", "办公室面积(平方米)", "发展农村党员数", "其中经济能人"]
    ws.cell(1, 1, "2007年村(社区)公共服务中心建设及发展农村党员情况统计表").font = Font(size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.cell(2, 1, "填报单位:如皋市委组织部组织科")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    ws.cell(2, 5, "统计时间:2007年12月")
    ws.merge_cells(start_row=2, start_column=5, end_row=2, end_column=len(headers))
    for j, text in enumerate(headers, 1):
        c = ws.cell(3, j, text)
        c.font, c.alignment, c.border = Font(bold=True), CENTRE, BOX
    r = 4
    starts: dict[str, int] = {}
    for i, (township, village, rooms, area, new, capable) in enumerate(rows, 1):
        first = township not in starts
        starts.setdefault(township, r)
        for j, value in enumerate([i, township if first else None, village, rooms, area, new, capable], 1):
            ws.cell(r, j, value).border = BOX
        r += 1
    ends = {t: max(k for k, row in enumerate(rows, 4) if row[0] == t) for t in starts}
    for t, start in starts.items():
        ws.merge_cells(start_row=start, start_column=2, end_row=ends[t], end_column=2)
    ws.cell(r, 1, "合计")
    ws.cell(r, 4, sum(x[2] for x in rows))
    ws.cell(r, 6, sum(x[4] for x in rows))
    ws.cell(r, 7, sum(x[5] for x in rows))
    ws.cell(r + 1, 1, "注:办公室面积指集中办公室使用面积。")
    save(wb, out / "service-centres.xlsx")


# --------------------------------------------------------------------------- main


def build(out: Path, convert: bool = True) -> None:
    """Write every sample into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    write_clean(out)
    write_broken(out)
    write_no_birth(out)
    write_real_roles(out)
    write_real_heads(out)
    write_per_village(out, convert)
    write_service_centres(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=HERE, help="folder to write into (default: samples/)")
    parser.add_argument("--no-convert", action="store_true", help="do not run LibreOffice for the .xls/.ods")
    args = parser.parse_args(argv)
    build(args.out, convert=not args.no_convert)


if __name__ == "__main__":
    main()
