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
    "township-not-found": (
        "rulecheck.toml 为镇(区)「{township}」单独设置了核对日或参数,但名单中没有这个镇(区)",
        "rulecheck.toml has settings for the township '{township}', which no slate names",
    ),
    "heading-notes": ("说明", "Notes"),
    # writing outputs
    "wrote": ("已写入 {path}", "wrote {path}"),
    "wrote-annotated": ("已写入标注副本 {path}", "wrote an annotated copy: {path}"),
    "needs-output": ("{format} 格式是二进制文件,请用 --output 指定要写入的文件", "the {format} format is binary: give a file with --output"),
    "report-suffix": ("--report 写出 Excel 工作簿,文件名应以 .xlsx 结尾,收到「{path}」", "--report writes an Excel workbook; its name must end in .xlsx, got '{path}'"),
    "output-is-input": ("{path} 是被检查的文件之一,rulecheck 不会覆盖它", "{path} is one of the files being checked; rulecheck does not overwrite it"),
    "output-twice": ("两个输出都要写到 {path}", "two outputs would be written to {path}"),
    "write-failed": ("无法写入 {path}:{reason}", "cannot write {path}: {reason}"),
    "annotate-needs-xlsx": (
        "{path}:标注副本只能基于 xlsx 或 xlsm 文件生成,已跳过(可在 Excel 或 WPS 中另存为 xlsx 后再检查)",
        "{path}: an annotated copy needs an xlsx or xlsm file; skipped (save it as xlsx in Excel or WPS and check it again)",
    ),
    "annotate-not-dir": ("--annotate 需要一个文件夹,{path} 是文件", "--annotate takes a folder, and {path} is a file"),
    "progress": ("读取", "reading"),
    # rulecheck.toml
    "config-syntax": ("{path}:配置文件格式错误:{reason}", "{path}: not valid TOML: {reason}"),
    "config-unreadable": ("{path}:无法读取配置文件:{reason}", "{path}: cannot read the config file: {reason}"),
    "config-unknown-key": ("未知的配置项「{name}」;可用的配置项:{valid}", "unknown key '{name}'; valid keys: {valid}"),
    "config-bad-value": ("取值无效:{reason}", "invalid value: {reason}"),
    "config-choice": ("只能是 {choices},收到「{value}」", "takes one of {choices}, got '{value}'"),
    "config-unknown-column": ("规则文件中没有列「{column}」;列:{columns}", "the rule file has no column '{column}'; columns: {columns}"),
    "config-unknown-param": ("规则文件中没有参数「{param}」;参数:{params}", "the rule file has no parameter '{param}'; parameters: {params}"),
    "config-param-type": ("参数「{param}」应为{type},收到「{value}」", "parameter '{param}' takes a {type}, got '{value}'"),
    "config-no-townships": ("规则文件没有按镇(区)分组(groups.township),不能按镇(区)设置", "the rule file has no township group (groups.township), so townships cannot have settings"),
    "config-township-twice": ("镇(区)「{township}」设置了两次", "the township '{township}' has settings twice"),
    "config-differ": (
        "要检查的路径属于不同的 rulecheck.toml({first} 和 {second}),请分别检查",
        "the paths belong to different rulecheck.toml files ({first} and {second}); check them separately",
    ),
    "config-not-found": ("找不到配置文件 {path}", "no such config file: {path}"),
    "type-number": ("数字", "number"),
    "type-date": ("日期(YYYY-MM-DD)", "date (YYYY-MM-DD)"),
    "type-bool": ("true 或 false", "true or false"),
    "type-text": ("文字", "text"),
    # the report workbook
    "sheet-summary": ("汇总", "Summary"),
    "sheet-violations": ("问题清单", "Violations"),
    "sheet-exemptions": ("豁免", "Exemptions"),
    "sheet-files": ("文件", "Files"),
    "sheet-chart": ("图表", "Chart"),
    "report-title": ("{title}:检查结果", "{title}: results"),
    "report-subtitle": (
        "核对日 {as_of};共 {files} 个文件、{rows} 名人选;rulecheck {version}",
        "as of {as_of}; {files} files, {rows} candidates; rulecheck {version}",
    ),
    "heading-townships": ("各镇(区)情况", "Townships"),
    "heading-rules": ("各规则问题数", "Violations per rule"),
    "legend": ("红色:违反规则(错误);黄色:警告", "red: a rule broken (error); amber: a warning"),
    "no-rows": ("未发现问题", "no problems found"),
    "col-severity": ("级别", "severity"),
    "col-rule": ("规则", "rule"),
    "col-title": ("规则名称", "rule title"),
    "col-township": ("镇(区)", "township"),
    "col-village": ("村(社区)", "village"),
    "col-name": ("姓名", "name"),
    "col-file": ("文件", "file"),
    "col-sheet": ("工作表", "sheet"),
    "col-row": ("行号", "row"),
    "col-column": ("列", "column"),
    "col-observed": ("实际值", "observed"),
    "col-message": ("问题说明", "message"),
    "col-quote": ("讲话原文", "the speech's words"),
    "col-evidence": ("豁免依据", "evidence"),
    "col-as-of": ("核对日", "as of"),
    "col-errors": ("错误", "errors"),
    "col-warnings": ("警告", "warnings"),
    "col-notices": ("提示", "notices"),
    "col-exempted": ("豁免", "exemptions"),
    "col-violations": ("问题数", "violations"),
    "col-scope": ("范围", "scope"),
    "col-rows": ("人选数", "candidates"),
    "col-skipped": ("跳过行数", "rows skipped"),
    "col-sheets": ("工作表", "sheets"),
    "col-status": ("检查情况", "status"),
    "col-not-checked": ("未能检查的规则(缺少所需列)", "rules not checked (columns missing)"),
    "status-ok": ("已检查", "checked"),
    "status-failed": ("无法检查:{error}", "could not check: {error}"),
    "chart-title": ("{title}(标准线 {value})", "{title} (reference {value})"),
    "chart-reference": ("标准线", "reference"),
    # CI formats
    "junit-failure": ("{count} 处不符合", "{count} violations"),
    "junit-files": ("文件", "files"),
    "junit-file-case": ("读取并检查文件", "file read and checked"),
    "scope-person": ("人选", "person"),
    "scope-village": ("村(社区)", "village"),
    "scope-township": ("镇(区)", "township"),
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
