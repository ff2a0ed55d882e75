"""Every sheet and row is accounted for: hidden sheets and rows, instructions sheets, headers repeated
inside a table, headers typed on two lines, and the columns a duplicate header really names."""

from __future__ import annotations

import itertools
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultkit import GOOD_ROWS, HEADER, run
from rulecheck.read import reader
from rulecheck.rulefile import ruleset
from rulecheck.render.messages import t
from rulecheck.read.raw import RawSheet
from rulecheck.read.raw import ReadError
from rulecheck.table import header as headers
from rulecheck.table.header import is_instructions, read_file

RULES = ruleset.load()


def book(path: Path, sheets: dict[str, list[list[object]]], states: dict[str, str] | None = None) -> Path:
    """An xlsx with these sheets in this order; ``states`` makes some hidden or veryHidden."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = (states or {}).get(name, "visible")
    workbook.save(path)
    return path


def notes(result_file: dict) -> str:
    return "\n".join(result_file["notes"])


def hits(result, path: Path) -> list[tuple[str, str, int | None, str | None]]:
    return [(v["rule"], v["sheet"], v["row"], v["column"]) for v in result.report["violations"] if v["file"] == str(path)]


def note_texts(key: str, **params: object) -> tuple[str, str]:
    return t("zh", key, **params), t("en", key, **params)


# -- hidden sheets -------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_read_and_checked_with_a_note(tmp_path: Path, state: str) -> None:
    path = book(tmp_path / "slate.xlsx", {
        "名单": [HEADER, *GOOD_ROWS[1:]],
        "补报": [HEADER, ["城南镇", "二村", "赵老", "男", "1949.02", "书记", "是"]],
    }, {"补报": state})
    for lang in ("zh", "en"):
        result = run(path, lang=lang)
        assert result.code == 1
        entry = result.file(path)
        assert entry["rows"] == 3 and entry["sheets"] == ["名单", "补报"]
        assert ("retirement-age", "补报", 2, "出生年月 (E)") in hits(result, path)
        assert t(lang, "sheet-hidden", sheet="补报") in entry["notes"]
    zh, en = note_texts("sheet-hidden", sheet="补报")
    assert "隐藏" in zh and "检查" in zh and "hidden" in en and "checked" in en


def test_a_hidden_sheet_of_drop_down_lists_is_passed_over_with_a_note(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {
        "名单": [HEADER, *GOOD_ROWS],
        "下拉选项": [["性别", "拟任职务", "是否留任"], ["男", "书记", "是"], ["女", "委员", "否"]],
    }, {"下拉选项": "hidden"})
    result = run(path)
    assert result.code == 1
    entry = result.file(path)
    assert entry["error"] is None and entry["rows"] == 3 and entry["sheets"] == ["名单"]
    zh = t("zh", "sheet-hidden-no-table", sheet="下拉选项", row=1, columns="性别、拟任职务、是否留任", label="姓名")
    assert zh in entry["notes"]
    en = run(path, lang="en").file(path)["notes"]
    assert "the hidden sheet '下拉选项' is not a slate (row 1 has only columns such as 性别、拟任职务、是否留任, no 姓名 column); not checked" in en


def test_a_hidden_sheet_with_candidates_but_not_all_columns_is_an_error(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {
        "名单": [HEADER, *GOOD_ROWS],
        "补报": [["村", "姓名", "出生年月"], ["二村", "赵老", "1949.02"]],
    }, {"补报": "hidden"})
    result = run(path)
    assert result.code == 2
    assert result.error(path) == ("工作表「补报」第 1 行的表头没有镇(区)列,标题、填报单位、文件名中也没有写明镇(区):"
            "请在表头加一列“镇(区)”,或把镇(区)的名称写进标题")


def test_a_chart_sheet_is_not_read(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {"名单": [HEADER, *GOOD_ROWS]})
    workbook = openpyxl.load_workbook(path)
    workbook.create_chartsheet("图表")
    workbook.save(path)
    read = read_file(path, RULES)
    assert [s.name for s in read.sheets] == ["名单"] and read.headerless == () and read.notes == ()


# -- hidden rows -----------------------------------------------------------------------------------

def _read_raw(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *raws: RawSheet) -> headers.FileRead:
    monkeypatch.setattr(reader, "read_rows", lambda path: list(raws))
    return read_file(tmp_path / "given.xlsx", RULES)


def test_hidden_rows_holding_candidates_are_named_in_a_note(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rows = [["名单"], HEADER, *GOOD_ROWS, [], ["城南镇", "二村", "赵一", "男", "1980.01", "书记", "否"]]
    # Excel rows 1-7; 2 is the header, 6 is blank; hidden: the header, a candidate, the blank line, the last.
    read = _read_raw(monkeypatch, tmp_path, RawSheet("名单", rows, hidden_rows=(2, 4, 6, 7, 40)))
    assert [int(r) for r in read.sheets[0].frame["_row"]] == [3, 4, 5, 7]
    assert read.sheets[0].hidden_rows == (4, 7)
    assert ("rows-hidden", {"sheet": "名单", "rows": "4、7"}) in read.notes
    zh, en = note_texts("rows-hidden", sheet="名单", rows="4、7")
    assert zh == "工作表「名单」第 4、7 行是隐藏行,其中的人选已照常检查"
    assert en == "sheet '名单': rows 4、7 are hidden; the candidates on them were checked like the others"


def test_hidden_rows_are_quoted_first_few_with_row_numbers_as_excel_shows(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    people = [["城南镇", f"{n}村", f"人{n}", "男", "1980.01", "书记", "否"] for n in range(12)]
    numbers = (3, 4, *range(10, 22))  # the guard closed a gap: rows 5-9 are not in the file
    raw = RawSheet("名单", [["名单"], HEADER, *people], row_numbers=(1, 2, *range(10, 22)), hidden_rows=numbers)
    read = _read_raw(monkeypatch, tmp_path, raw)
    assert read.sheets[0].hidden_rows == tuple(range(10, 22))
    assert ("rows-hidden", {"sheet": "名单", "rows": "10、11、12、13、14、15、16、17…"}) in read.notes


def test_no_hidden_rows_no_note(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    read = _read_raw(monkeypatch, tmp_path, RawSheet("名单", [HEADER, *GOOD_ROWS], hidden_rows=(1, 9)))
    assert read.sheets[0].hidden_rows == () and not [n for n in read.notes if n[0] == "rows-hidden"]


# -- instructions sheets ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "填表说明", "填报说明", "说明", "示例", "填写说明", "填表须知", "样表", "示范", "附:填表说明", "附：填报说明",
    "说明(请勿删除)", "说明（请勿删除）", "附件1 填表说明", "示例1", "填表说明及示例", "拟任人选名单(示例)", " 说 明 ",
])
def test_instructions_sheet_names(name: str) -> None:
    assert is_instructions(name)


@pytest.mark.parametrize("name", ["名单", "Sheet1", "东村", "丁堰镇", "人选情况说明", "模板", "名单(2007)", "说明书记人选", ""])
def test_sheet_names_that_are_not_instructions(name: str) -> None:
    assert not is_instructions(name)


EXAMPLE = [["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任"],
           ["××镇", "××村", "张三", "男", "1950.01", "书记", "是"]]


@pytest.mark.parametrize("name", ["填表说明", "附：填表说明", "说明(请勿删除)"])  # Excel allows no ASCII colon
def test_an_instructions_sheet_is_passed_over_and_its_example_rows_not_counted(tmp_path: Path, name: str) -> None:
    path = book(tmp_path / "slate.xlsx", {name: [["1. 本表由镇(区)党委填报。"], *EXAMPLE], "名单": [HEADER, *GOOD_ROWS]})
    for lang in ("zh", "en"):
        result = run(path, lang=lang)
        assert result.code == 1
        entry = result.file(path)
        assert entry["rows"] == 3 and entry["sheets"] == ["名单"]
        assert not [v for v in result.report["violations"] if v["sheet"] == name or v["township"] == "××镇"]
        assert [t(lang, "sheet-instructions", sheet=name)] == [n for n in entry["notes"] if name in n]
    zh, en = note_texts("sheet-instructions", sheet=name)
    assert "填表说明或示例" in zh and "不计入" in zh and "instructions" in en and "not counted" in en


def test_a_file_with_only_an_instructions_sheet_cannot_be_checked(tmp_path: Path) -> None:
    path = book(tmp_path / "template.xlsx", {"填表说明": EXAMPLE})
    result = run(path)
    assert result.code == 2 and result.file(path)["rows"] == 0
    assert result.error(path) == "文件中只有填表说明或示例工作表(「填表说明」),没有名单可检查。请把人选填入名单工作表后重试"
    en = run(path, lang="en")
    assert en.code == 2 and "holds only instructions or example sheets ('填表说明')" in en.error(path)


def test_instructions_beside_a_sheet_with_no_header_say_both(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {"Sheet1": [["a", "b"], [1, 2]], "示例": EXAMPLE})
    with pytest.raises(ReadError) as exc:
        read_file(path, RULES)
    assert exc.value.key == "no-header-instructions"
    assert "没有找到表头行(工作表:Sheet1;「示例」是填表说明或示例,未作检查)" in exc.value.message("zh")
    assert "'示例' holds instructions or examples and was not checked" in exc.value.message("en")


def test_an_instructions_sheet_beside_a_sheet_with_no_candidates(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {"名单": [HEADER, ["合计"]], "样表": EXAMPLE})
    with pytest.raises(ReadError) as exc:
        read_file(path, RULES)
    assert exc.value.key == "no-candidates" and "「名单」" in exc.value.message("zh")


# -- headers repeated inside a table ---------------------------------------------------------------

def test_a_header_repeated_after_a_page_break_is_not_a_candidate(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {"名单": [
        ["城南镇拟任人选名单"], HEADER, GOOD_ROWS[0], GOOD_ROWS[1], HEADER, [None, None, *GOOD_ROWS[2][2:]],
    ]})
    read = read_file(path, RULES)
    assert len(read.sheets) == 1
    sheet = read.sheets[0]
    frame = sheet.frame
    assert [(int(r), n, tw) for r, n, tw in zip(frame["_row"], frame["name"], frame["township"])] == [
        (3, "张老", "城南镇"), (4, "李青", "城南镇"), (6, "王中", "城南镇")]  # filled down across the repeated header
    assert sheet.repeated == (5,) and sheet.skipped == 1
    assert ("header-repeated", {"sheet": "名单", "rows": "5"}) in read.notes
    for lang in ("zh", "en"):
        result = run(path, lang=lang)
        assert result.code == 1 and result.file(path)["rows"] == 3
        assert "姓名" not in [v["name"] for v in result.report["violations"]]
        assert t(lang, "header-repeated", sheet="名单", rows="5") in result.file(path)["notes"]
    zh, en = note_texts("header-repeated", sheet="名单", rows="5")
    assert "重复了表头" in zh and "不作为人选" in zh and "repeat the header" in en and "not as candidates" in en


def test_a_second_table_with_another_column_order_is_read_by_its_own_header(tmp_path: Path) -> None:
    order = [2, 0, 1, 6, 5, 4, 3]  # 姓名, 镇(区), 村(社区), 是否留任, 拟任职务, 出生年月, 性别
    second = [[row[i] for i in order] for row in [HEADER, ["城南镇", "二村", "赵老", "男", "1949.02", "书记", "是"]]]
    path = book(tmp_path / "slate.xlsx", {"名单": [HEADER, *GOOD_ROWS, [], ["二村"], *second]})
    read = read_file(path, RULES)
    assert [(s.name, s.header_row) for s in read.sheets] == [("名单", 1), ("名单", 7)]
    rows = [(int(r["_row"]), r["name"], r["village"], r["birth"], r["sex"]) for s in read.sheets
            for r in s.frame.to_dict("records")]
    assert rows[-1] == (8, "赵老", "二村", "1949.02", "男")
    assert [r[0] for r in rows] == [2, 3, 4, 8]
    assert read.sheets[1].headers["birth"] == "出生年月 (F)" and read.sheets[0].headers["birth"] == "出生年月 (E)"
    assert ("header-repeated", {"sheet": "名单", "rows": "7"}) in read.notes
    result = run(path)
    assert result.code == 1 and result.file(path)["rows"] == 4
    assert ("retirement-age", "名单", 8, "出生年月 (F)") in hits(result, path)
    assert ("retirement-age", "名单", 2, "出生年月 (E)") in hits(result, path)


def test_a_stacked_table_with_unread_columns_where_the_first_has_its_name_is_still_a_table(tmp_path: Path) -> None:
    second = ["序号", "政治面貌", "学历", "镇(区)", "村(社区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任"]
    path = book(tmp_path / "slate.xlsx", {"名单": [
        HEADER, *GOOD_ROWS, second, [1, "中共党员", "大专", "城南镇", "二村", "赵老", "男", "1949.02", "书记", "是"]]})
    read = read_file(path, RULES)
    assert [(s.header_row, s.frame["name"].tolist()) for s in read.sheets] == [(1, ["张老", "李青", "王中"]), (5, ["赵老"])]
    assert read.sheets[1].headers["name"] == "姓名 (F)"


def test_a_first_table_above_a_wider_one_is_not_lost(tmp_path: Path) -> None:
    narrow = ["镇(区)", "村(社区)", "姓名", "出生年月", "拟任职务"]
    wide = ["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任", "身份证号"]
    path = book(tmp_path / "slate.xlsx", {"名单": [
        narrow, ["城南镇", "一村", "钱一", "1980.01", "委员"],
        wide, ["城南镇", "二村", "孙二", "女", "1982.03", "书记", "否", None],
    ]})
    read = read_file(path, RULES)
    assert [(s.header_row, [int(r) for r in s.frame["_row"]]) for s in read.sheets] == [(1, [2]), (3, [4])]
    assert "sex" not in read.sheets[0].frame and read.sheets[1].frame["sex"].tolist() == ["女"]


def test_cells_spelled_like_headers_in_a_candidate_row_keep_it_a_candidate(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {"名单": [HEADER, ["城南镇", "社区", "周一", "男", "1980.01", "书记", "留任"],
                                                  ["城南镇", "单位", "留任", "男", "1980.01", "委员", "留任"]]})
    read = read_file(path, RULES)
    assert read.sheets[0].frame["name"].tolist() == ["周一", "留任"] and read.sheets[0].repeated == ()


def test_a_stacked_table_that_repeats_a_column_is_refused_at_its_own_row(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {"名单": [HEADER, *GOOD_ROWS, ["镇", "姓名", "出生年月", "出生日期"]]})
    with pytest.raises(ReadError) as exc:
        read_file(path, RULES)
    assert exc.value.key == "duplicate-column" and exc.value.params["row"] == 5


tables = st.lists(st.tuples(st.permutations(range(len(HEADER))), st.integers(1, 4), st.booleans()), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables)
def test_stacked_tables_read_every_candidate_once_at_its_row(tmp_path: Path, layout: list) -> None:
    """Tables stacked in any column orders, some under a gap: every person read once, at the right row, right cells."""
    people = (f"人{n}" for n in itertools.count())
    rows: list[list[object]] = [["城南镇拟任人选名单"]]
    expected = []
    for order, count, gap in layout:
        if gap:
            rows.append([])
        rows.append([HEADER[i] for i in order])
        for _ in range(count):
            person = ["城南镇", "一村", next(people), "女", "1980.01", "委员", "否"]
            rows.append([person[i] for i in order])
            expected.append((len(rows), person[2], "城南镇", "1980.01", "委员"))
    path = book(tmp_path / "stacked.xlsx", {"名单": rows})
    read = read_file(path, RULES)
    got = [(int(r["_row"]), r["name"], r["township"], r["birth"], r["role"]) for s in read.sheets
           for r in s.frame.to_dict("records")]
    assert got == expected


# -- headers typed with Alt+Enter, and duplicate headers -------------------------------------------

def test_a_header_typed_on_two_lines_is_matched_and_quoted_on_one(tmp_path: Path) -> None:
    header = ["镇(区)", "村(社区)", "姓\n名", "性别", "出生\n年月", "拟任\r\n职务", "是否\n留任"]
    path = book(tmp_path / "slate.xlsx", {"名单": [header, *GOOD_ROWS]})
    sheet = read_file(path, RULES).sheets[0]
    assert sheet.headers["birth"] == "出生年月 (E)" and sheet.headers["role"] == "拟任职务 (F)"
    result = run(path)
    assert result.code == 1 and ("retirement-age", "名单", 2, "出生年月 (E)") in hits(result, path)
    assert headers.one_line("birth\ndate") == "birth date"


def test_a_required_column_typed_on_two_lines_is_quoted_on_one_when_empty(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {"名单": [["镇(区)", "姓\n名", "出生年月"], [None, "张三", "1980.01"]]})
    with pytest.raises(ReadError) as exc:
        read_file(path, RULES)
    assert exc.value.key == "column-empty" and "「镇(区)」" in exc.value.message("zh")
    path = book(tmp_path / "slate2.xlsx", {"名单": [["镇(区)", "姓\n名", "出生年月"], ["城南镇", None, "1980.01"],
                                                   ["城南镇", None, "1981.01"]]})
    # rows with no name are not candidates: the name column's emptiness is told, quoted on one line
    with pytest.raises(ReadError) as exc:
        read_file(path, RULES)
    assert "「姓名」(B 列)" in exc.value.message("zh")


def test_duplicate_header_names_both_headers_both_letters_and_the_column(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {"名单": [["镇", "村", "姓名", "出生年月", "拟任职务", "单位"],
                                                  ["丁堰镇", "东村", "张三", "1968.05", "书记", "东村委"]]})
    result = run(path)
    assert result.code == 2
    assert result.error(path) == (
        "工作表「名单」第 1 行的表头「村」(B 列)和「单位」(F 列)都对应「村(社区)」列,无法确定用哪一列。请删除或改名其中一列")
    result = run(path, lang="en")
    assert result.error(path) == (
        "sheet '名单': in the header in row 1, '村' (column B) and '单位' (column F) both name the 'village' column; "
        "delete or rename one of them")


def test_duplicate_header_typed_on_two_lines_is_quoted_on_one(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {"名单": [["镇", "姓名", "出生\n年月", "出生日期"], ["丁堰镇", "张三", "1968.05", "1968.06"]]})
    with pytest.raises(ReadError) as exc:
        read_file(path, RULES)
    assert "「出生年月」(C 列)和「出生日期」(D 列)都对应「出生年月」列" in exc.value.message("zh")
    assert "'出生年月' (column C) and '出生日期' (column D) both name the 'birth date' column" in exc.value.message("en")


def test_the_likeliest_header_of_a_sheet_with_none_is_quoted_on_one_line(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", {"Sheet1": [["出生\n年月", "备\n注", "联系\r\n电话"], ["1968.05", "", ""]]})
    with pytest.raises(ReadError) as exc:
        read_file(path, RULES)
    assert exc.value.key == "no-header" and "「Sheet1」1: 出生年月、备注、联系电话" in exc.value.message("zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hidden_rows_of_a_real_workbook_are_checked_and_noted(tmp_path: Path, lang: str) -> None:
    """End to end: rows Excel hides (row_dimensions hidden) are found by the guard, read, and named."""
    book = openpyxl.Workbook()
    book.active.title = "名单"
    for row in [HEADER, *GOOD_ROWS]:
        book.active.append(row)
    book.active.row_dimensions[2].hidden = True  # 张老, retained at 57
    book.save(tmp_path / "hidden.xlsx")
    result = run(tmp_path / "hidden.xlsx", lang=lang)
    entry = result.file(tmp_path / "hidden.xlsx")
    assert entry["rows"] == 3
    assert t(lang, "rows-hidden", sheet="名单", rows="2") in entry["notes"]
    assert ("retirement-age", 2) in [(v["rule"], v["row"]) for v in result.report["violations"]]
