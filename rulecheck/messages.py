"""What rulecheck says to its users, in Chinese (default) and English.

Rule titles and violation messages live in the rule file; this is only the tool's own voice.
"""

from __future__ import annotations

LANGS = ("zh", "en")

_MESSAGES: dict[str, tuple[str, str]] = {
    # could-not-check reasons
    "file-unreadable": ("无法读取该文件:{reason}", "cannot read the file: {reason}"),
    "sheet-unreadable": ("无法读取工作表「{sheet}」:{reason}", "cannot read sheet '{sheet}': {reason}"),
    "csv-encoding": (
        "CSV 文件编码无法识别:既不是 UTF-8 也不是 GBK/GB18030。请在 Excel 中另存为“CSV UTF-8”后重试",
        "the CSV file's encoding is neither UTF-8 nor GBK/GB18030; save it again as 'CSV UTF-8'",
    ),
    "no-header": (
        "没有找到表头行(工作表:{sheets})。需要的列至少包括:{expected}",
        "no header row found (sheets: {sheets}); the columns needed include: {expected}",
    ),
    "duplicate-column": (
        "工作表「{sheet}」中表头「{column}」出现两次({first} 列和 {second} 列),无法确定用哪一列",
        "sheet '{sheet}': the header '{column}' appears twice (columns {first} and {second})",
    ),
    "missing-columns": (
        "工作表「{sheet}」第 {row} 行的表头缺少必需的列:{columns}",
        "sheet '{sheet}': the header in row {row} lacks required columns: {columns}",
    ),
    "not-found": ("文件不存在:{path}", "no such file: {path}"),
    "not-a-slate": ("不是可检查的表格文件(支持 xlsx、xlsm、xls、ods、csv)", "not a spreadsheet rulecheck reads (xlsx, xlsm, xls, ods, csv)"),
    "no-files": ("在 {path} 中没有找到表格文件(xlsx、xlsm、xls、ods、csv)", "no spreadsheets (xlsx, xlsm, xls, ods, csv) found in {path}"),
    "no-paths": ("请给出要检查的文件或文件夹", "give the files or folders to check"),
    "unknown-rule": ("没有这条规则:{rule}。规则有:{rules}", "unknown rule '{rule}'; rules: {rules}"),
    "bad-date": ("--as-of 应为 YYYY-MM-DD 格式的日期,收到「{value}」", "--as-of takes a date as YYYY-MM-DD, got '{value}'"),
    "bad-choice": ("{option} 只能是 {choices},收到「{value}」", "{option} takes one of {choices}, got '{value}'"),
    # the text report
    "heading-file": ("文件 {path}", "File {path}"),
    "heading-township": ("镇(区)汇总", "Townships"),
    "heading-exempted": ("已认可的豁免", "Exemptions accepted"),
    "file-error": ("无法检查:{error}", "could not check: {error}"),
    "file-rows": ("读取 {rows} 名人选", "{rows} candidates read"),
    "file-skipped": ("跳过 {skipped} 行非人选行(空行、合计、备注等)", "{skipped} rows skipped (blank, totals, notes)"),
    "sheet-no-header": ("工作表「{sheet}」没有可识别的表头,已跳过", "sheet '{sheet}' has no recognisable header; skipped"),
    "not-checked": ("未能检查的规则(缺少所需列):{rules}", "rules not checked (columns missing): {rules}"),
    "no-violations": ("未发现问题", "no problems found"),
    "location-row": ("第 {row} 行", "row {row}"),
    "location-sheet": ("工作表「{sheet}」", "sheet '{sheet}'"),
    "observed": ("实际:{value}", "observed: {value}"),
    "evidence": ("依据:{evidence}", "evidence: {evidence}"),
    "summary": (
        "共检查 {files} 个文件、{rows} 名人选:{errors} 个错误,{warnings} 个警告,{notices} 条提示,{exempted} 项豁免,{failed} 个文件无法检查",
        "files {files}, candidates {rows}: errors {errors}, warnings {warnings}, notices {notices}, exemptions {exempted}, files not checked {failed}",
    ),
    "severity-error": ("错误", "error"),
    "severity-warning": ("警告", "warning"),
    "severity-notice": ("提示", "notice"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "blank": ("(空)", "(blank)"),
}


def t(lang: str, key: str, **params: object) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled in."""
    zh, en = _MESSAGES[key]
    return (en if lang == "en" else zh).format(**params)
