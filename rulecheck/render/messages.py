"""What rulecheck says to its users, in Chinese (default) and English.

Rule titles and violation messages live in the rule file; this is only the tool's own voice.
"""

from __future__ import annotations

LANGS = ("zh", "en")

_MESSAGES: dict[str, tuple[str, str]] = {
    # could-not-check reasons
    "file-unreadable": ("无法读取该文件:{reason}", "cannot read the file: {reason}"),
    "file-vanished": (
        "文件在检查过程中不见了(被移动、改名或删除),未能读取",
        "the file disappeared while rulecheck was running (moved, renamed or deleted); not read",
    ),
    "file-permission": (
        "没有读取该文件的权限。请检查文件权限,或先把文件复制到自己的文件夹",
        "no permission to read the file; check its permissions, or copy it to a folder of your own first",
    ),
    "file-is-folder": ("这是一个文件夹,不是文件", "this is a folder, not a file"),
    "broken-link": ("这是一个快捷方式(符号链接),它指向的文件 {target} 不存在", "this is a link to {target}, which does not exist"),
    "file-too-large": ("文件太大(超过 {limit}),rulecheck 不读取", "the file is larger than {limit}; rulecheck does not read it"),
    "empty-file": (
        "文件是空的(0 字节),可能是复制或下载没有完成。请重新获取原文件",
        "the file is empty (0 bytes), perhaps an unfinished copy or download; get the original again",
    ),
    "not-a-spreadsheet": (
        "文件内容不是表格,而是 {what} 文件(只是扩展名像表格)。请在 Excel 或 WPS 中打开原表,另存为 .xlsx 后重试",
        "the file is not a spreadsheet but {what} (only its name says otherwise); open the original in Excel or WPS and save it as .xlsx",
    ),
    "what-pdf": ("PDF", "a PDF document"),
    "what-image": ("图片", "an image"),
    "what-archive": ("压缩包(rar、7z 或 gz)", "an archive (rar, 7z or gz)"),
    "what-rtf": ("RTF 文档(Word)", "an RTF document (Word)"),
    "what-xml": ("XML(不是 Excel 表格格式)", "XML that is not an Excel spreadsheet"),
    "what-binary": ("无法识别的二进制数据", "unrecognisable binary data"),
    "what-zip": ("普通压缩包(zip)", "a plain zip archive"),
    "what-docx": ("Word 文档(docx)", "a Word document (docx)"),
    "what-pptx": ("PowerPoint 演示文稿(pptx)", "a PowerPoint presentation (pptx)"),
    "what-odf": ("OpenDocument 文本或演示文稿", "an OpenDocument text or presentation"),
    "zip-damaged": (
        "文件不完整或已损坏(xlsx 压缩结构残缺),多半是下载、复制或邮件附件没有传完。请重新获取原文件",
        "the file is incomplete or damaged (its xlsx zip structure is cut short), most likely an unfinished download, copy or attachment; get the original again",
    ),
    "workbook-damaged": (
        "工作簿已损坏,无法读取({reason})。请在 Excel 或 WPS 中打开并另存为 .xlsx 后重试",
        "the workbook is damaged and cannot be read ({reason}); open it in Excel or WPS and save it as .xlsx",
    ),
    "encrypted": (
        "工作簿设置了打开密码(已加密),rulecheck 无法读取。请在 Excel 或 WPS 中去掉密码后另存,再检查",
        "the workbook is protected with a password (encrypted) and cannot be read; remove the password in Excel or WPS, save, and check again",
    ),
    "zip-entries": (
        "文件内含 {count} 个部件,超过上限 {limit},不是正常的工作簿,为安全起见不读取",
        "the file holds {count} parts, over the limit of {limit}; not a normal workbook, refused for safety",
    ),
    "zip-part-size": (
        "文件中的 {part} 解压后为 {size},超过上限 {limit}(疑似“压缩炸弹”),为安全起见不读取",
        "the part {part} inflates to {size}, over the limit of {limit} (a likely zip bomb); refused for safety",
    ),
    "zip-total-size": (
        "文件解压后共 {size},超过上限 {limit}(疑似“压缩炸弹”),为安全起见不读取",
        "the file inflates to {size} in all, over the limit of {limit} (a likely zip bomb); refused for safety",
    ),
    "zip-ratio": (
        "文件中的 {part} 压缩比为 {ratio}:1,超过上限 {limit}:1(疑似“压缩炸弹”),为安全起见不读取",
        "the part {part} is compressed {ratio}:1, over the limit of {limit}:1 (a likely zip bomb); refused for safety",
    ),
    "xml-dtd": (
        "文件中的 {part} 含有 DTD 或实体声明(<!DOCTYPE>/<!ENTITY>)。正常的 Excel/WPS 文件不会有,为安全起见不读取",
        "the part {part} has a DTD or entity declarations (<!DOCTYPE>/<!ENTITY>), which Excel and WPS never write; refused for safety",
    ),
    "xml-prolog": (
        "文件中的 {part} 开头 {limit} 字节内没有出现正文,不是正常的 Excel 文件,为安全起见不读取",
        "the part {part} has no content within its first {limit} bytes; not a normal Excel file, refused for safety",
    ),
    "xml-damaged": (
        "XML 表格文件已损坏(第 {line} 行:{reason}),无法读取",
        "the XML spreadsheet is damaged (line {line}: {reason}) and cannot be read",
    ),
    "html-no-table": (
        "这是一个网页(HTML)文件,但里面没有表格。请从原系统重新导出,或另存为 .xlsx",
        "the file is a web page (HTML) with no table in it; export it again or save it as .xlsx",
    ),
    "sheet-too-large": (
        "工作表「{sheet}」的内容范围过大:{cells} 个单元格(最远到 {far}),超过上限 {limit}。多半是表格下方或右侧远处有误输入的内容,请删除后重试",
        "sheet '{sheet}' spans {cells} cells (as far as {far}), over the limit of {limit}; most likely stray content far below or right of the table: delete it and check again",
    ),
    "sheet-unreadable": ("无法读取工作表「{sheet}」:{reason}", "cannot read sheet '{sheet}': {reason}"),
    "sheet-too-big": (
        "工作表「{sheet}」是一张 {rows} 行 × {columns} 列的大表({cells} 个单元格),超过 rulecheck 一个工作表能检查的上限 {limit} 个单元格。请按县或镇把名单拆分成几个工作表或文件后再检查",
        "sheet '{sheet}' is a table of {rows} rows × {columns} columns ({cells} cells), more than rulecheck checks in one sheet (at most {limit} cells); split it into several sheets or files (for instance one per county or township) and check again",
    ),
    "text-too-big": (
        "「{sheet}」读到第 {rows} 行时已有 {cells} 个单元格({columns} 列),超过 rulecheck 一个工作表能检查的上限 {limit} 个单元格。请按县或镇把名单拆分成几个文件后再检查",
        "'{sheet}' already holds {cells} cells ({columns} columns) by row {rows}, more than rulecheck checks in one sheet (at most {limit} cells); split it into several files (for instance one per county or township) and check again",
    ),
    "xlsb-unsupported": (
        "这是二进制格式的 Excel 工作簿(.xlsb),rulecheck 不检查这种格式(无法事先核查其中单元格的范围)。请在 Excel 或 WPS 中另存为 .xlsx 后重试",
        "the file is a binary Excel workbook (.xlsb), which rulecheck does not check (the extent of its cells cannot be checked beforehand); save it as .xlsx in Excel or WPS and check again",
    ),
    "zip-duplicate-part": (
        "文件中有两个同名的部件「{part}」(只差大小写或斜杠),不是正常的 Excel 文件,为安全起见不读取",
        "the file holds two parts named '{part}' (differing only in case or slashes); not a normal Excel file, refused for safety",
    ),
    "text-encoding": (
        "无法识别文件的文字编码:既不是 {tried}。第 {line} 行有无法解码的字节 {byte}。请在 Excel 或 WPS 中另存为“CSV UTF-8”或 .xlsx 后重试",
        "cannot tell the file's text encoding: it is not {tried}; line {line} has the undecodable byte {byte}; save it again as 'CSV UTF-8' or .xlsx",
    ),
    "text-encoding-guess": (
        "文件按 GB18030 读出来大多是生僻字(如 {sample}),编码多半是 Big5(繁体)或其他编码,照此读取会成乱码。请另存为“CSV UTF-8”或 .xlsx 后重试",
        "read as GB18030 the file is mostly rare characters (such as {sample}): its encoding is most likely Big5 or another, and would read as mojibake; save it again as 'CSV UTF-8' or .xlsx",
    ),
    "csv-damaged": ("CSV 文件格式有误:{reason}", "the CSV file is malformed: {reason}"),
    "no-header": (
        "没有找到表头行(工作表:{sheets})。各表最像表头的一行是:{found}。需要的列至少包括:{expected};可识别的列有:{known}",
        "no header row found (sheets: {sheets}); the likeliest header rows are: {found}; the columns needed include: {expected}; columns recognised: {known}",
    ),
    "no-candidates": (
        "工作表「{sheet}」有表头,但表头下没有任何人选(跳过 {skipped} 行空行、合计或备注),没有可检查的内容",
        "sheet '{sheet}' has a header but no candidates under it ({skipped} blank, total or note rows skipped); nothing to check",
    ),
    "duplicate-column": (
        "工作表「{sheet}」第 {row} 行的表头「{first_header}」({first} 列)和「{second_header}」({second} 列)都对应「{title_zh}」列,无法确定用哪一列。请删除或改名其中一列",
        "sheet '{sheet}': in the header in row {row}, '{first_header}' (column {first}) and '{second_header}' (column {second}) both name the '{title_en}' column; delete or rename one of them",
    ),
    "missing-columns": (
        "工作表「{sheet}」第 {row} 行的表头缺少必需的列:{columns}",
        "sheet '{sheet}': the header in row {row} lacks required columns: {columns}",
    ),
    "column-empty": (
        "工作表「{sheet}」的必需列「{column}」({letter} 列)在全部 {rows} 行中都是空的,无法检查",
        "sheet '{sheet}': the required column '{column}' (column {letter}) is empty in all {rows} rows; cannot check",
    ),
    "formula-no-value": (
        "工作表「{sheet}」有 {count} 个公式单元格没有保存计算结果(如 {cells}),rulecheck 不计算公式,读出来会是空白。请在 Excel 或 WPS 中打开、保存后重试",
        "sheet '{sheet}' has {count} formula cells saved without their results (such as {cells}); rulecheck does not compute formulas and would read them as blank; open and save the file in Excel or WPS, then check again",
    ),
    "not-found": ("文件不存在:{path}", "no such file: {path}"),
    # files that are not regular files, and readers that crash (issue 14: no input takes the run down)
    "not-regular": (
        "这不是普通文件,而是{what},rulecheck 不打开它",
        "this is not a regular file but {what}; rulecheck does not open it",
    ),
    "link-not-regular": (
        "这是一个快捷方式(符号链接),指向 {target},那不是普通文件,而是{what},rulecheck 不打开它",
        "this is a link to {target}, which is not a regular file but {what}; rulecheck does not open it",
    ),
    "link-loop": (
        "这是一个快捷方式(符号链接),它指向 {target},链接绕成了圈(最终指回自己),不指向任何文件",
        "this is a link to {target}, and the links go round in a loop (back to themselves): it leads to no file",
    ),
    "kind-fifo": ("命名管道(FIFO)", "a named pipe (FIFO)"),
    "kind-char-device": ("字符设备", "a character device"),
    "kind-block-device": ("块设备", "a block device"),
    "kind-socket": ("套接字(socket)", "a socket"),
    "kind-other": ("特殊文件", "a special file"),
    "folder-unreadable": ("无法打开这个文件夹查看其中的文件:{reason}", "cannot list the files in this folder: {reason}"),
    "reader-crashed": (
        "读取该文件时表格读取程序异常终止({reason}),文件多半已损坏或是特意构造的,未能读取(其他文件照常检查)。请在 Excel 或 WPS 中打开并另存为 .xlsx 后重试",
        "the spreadsheet reader crashed on this file ({reason}); it is most likely damaged or crafted and was not read (the other files were checked as usual); open it in Excel or WPS, save it as .xlsx and check again",
    ),
    "reader-timeout": (
        "读取该文件超过 {seconds} 秒仍未完成,已停止读取(其他文件照常检查)。文件多半已损坏或是特意构造的",
        "reading the file had not finished after {seconds} s and was stopped (the other files were checked as usual); it is most likely damaged or crafted",
    ),
    "reader-memory": (
        "读取该文件所需的内存超过上限 {limit},未能读取(其他文件照常检查)。文件多半已损坏或是特意构造的",
        "reading the file needs more memory than the limit of {limit}; not read (the other files were checked as usual); it is most likely damaged or crafted",
    ),
    "reader-failed": (
        "读取该文件时出错,未能读取({reason})。文件多半已损坏;请在 Excel 或 WPS 中打开并另存为 .xlsx 后重试",
        "reading the file failed ({reason}); it is most likely damaged: open it in Excel or WPS, save it as .xlsx and check again",
    ),
    "check-crashed": (
        "检查这批文件的进程异常终止({reason}),该文件未能检查",
        "the process checking this file and others with it ended abnormally ({reason}); the file was not checked",
    ),
    "annotate-dtd": (
        "{path} 中含有 DTD(<!DOCTYPE> 声明),无法安全地复制,未生成标注副本(检查结果不受影响)",
        "{path} has a DTD (a <!DOCTYPE> declaration) and cannot be copied safely; no annotated copy was written (the check itself stands)",
    ),
    "annotate-unreadable": (
        "{path} 无法复制为标注副本({reason}),未生成标注副本(检查结果不受影响)",
        "{path} cannot be copied for annotation ({reason}); no annotated copy was written (the check itself stands)",
    ),
    "no-files": (
        "在 {path} 中没有找到表格文件(xlsx、xlsm、xls、et、ett、ods、csv);其中有 {count} 个其他文件{names}",
        "no spreadsheets (xlsx, xlsm, xls, et, ett, ods, csv) found in {path}; it holds {count} other files{names}",
    ),
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
    "rows-unnamed": (
        "工作表「{sheet}」第 {rows} 行填了内容但没有{label},未作为人选检查",
        "sheet '{sheet}': rows {rows} have cells filled in but no {label}; not checked as candidates",
    ),
    "cells-dropped": (
        "工作表「{sheet}」表格右侧远处的单元格未读取(如 {cells})",
        "sheet '{sheet}': cells far right of the table were not read (such as {cells})",
    ),
    "rows-moved": (
        "工作表「{sheet}」在第 {after} 行之后隔了很长一段空行才有内容(第 {row} 行);空行已略过,内容照常检查",
        "sheet '{sheet}': after row {after} a long blank gap comes before more content (row {row}); the gap was passed over and the content checked",
    ),
    "sheet-no-header": ("工作表「{sheet}」没有可识别的表头,已跳过", "sheet '{sheet}' has no recognisable header; skipped"),
    # every sheet and row accounted for (reader): hidden sheets and rows, instructions, repeated headers
    "sheet-hidden": (
        "工作表「{sheet}」在工作簿中是隐藏的,已照常读取并检查",
        "sheet '{sheet}' is hidden in the workbook; it was read and checked like the others",
    ),
    # a column's value from the slate itself (reader): the title, the 填报单位 line, the file's name
    "column-taken": (
        "工作表「{sheet}」没有{column_zh}列,{column_zh}按{where_zh}取为「{value}」",
        "sheet '{sheet}' has no {column_en} column; the {column_en} was taken from {where_en}: '{value}'",
    ),
    "place-title": ("第 {where} 行的标题", "the title in row {where}"),
    "place-unit": ("第 {where} 行的填报单位", "the 填报单位 line in row {where}"),
    "place-file_name": ("文件名「{where}」", "the file's name '{where}'"),
    "place-sheet_name": ("工作表名「{where}」", "the sheet's name '{where}'"),
    "place-title-name": ("标题", "the title"),
    "place-unit-name": ("填报单位", "the 填报单位 line"),
    "place-file_name-name": ("文件名", "the file's name"),
    "place-sheet_name-name": ("工作表名", "the sheet's name"),
    "column-not-anywhere": (
        "工作表「{sheet}」第 {row} 行的表头没有{column_zh}列,{places_zh}中也没有写明{column_zh}:"
        "请在表头加一列“{header}”,或把{column_zh}的名称写进标题",
        "sheet '{sheet}': the header in row {row} has no {column_en} column, and no {column_en} is named in {places_en}: "
        "add a column headed '{header}', or put the {column_en}'s name in the title",
    ),
    "sheet-hidden-no-table": (
        "隐藏的工作表「{sheet}」不是名单(第 {row} 行只有「{columns}」等列,没有{label}列),未作检查",
        "the hidden sheet '{sheet}' is not a slate (row {row} has only columns such as {columns}, no {label} column); not checked",
    ),
    "rows-hidden": (
        "工作表「{sheet}」第 {rows} 行是隐藏行,其中的人选已照常检查",
        "sheet '{sheet}': rows {rows} are hidden; the candidates on them were checked like the others",
    ),
    "sheet-instructions": (
        "工作表「{sheet}」是填表说明或示例,未作为名单检查,其中的示例行不计入",
        "sheet '{sheet}' holds instructions or examples; it was not checked as a slate and its example rows are not counted",
    ),
    "only-instructions": (
        "文件中只有填表说明或示例工作表(「{sheets}」),没有名单可检查。请把人选填入名单工作表后重试",
        "the file holds only instructions or example sheets ('{sheets}') and no slate to check; fill the candidates into a slate sheet and check again",
    ),
    "no-header-instructions": (
        "没有找到表头行(工作表:{sheets};「{instructions}」是填表说明或示例,未作检查)。各表最像表头的一行是:{found}。需要的列至少包括:{expected};可识别的列有:{known}",
        "no header row found (sheets: {sheets}; '{instructions}' holds instructions or examples and was not checked); the likeliest header rows are: {found}; the columns needed include: {expected}; columns recognised: {known}",
    ),
    "header-repeated": (
        "工作表「{sheet}」第 {rows} 行重复了表头,已当作表头处理(其下各行按该行的列读取),不作为人选",
        "sheet '{sheet}': rows {rows} repeat the header; they were taken as headers (the rows under each read by its columns), not as candidates",
    ),
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
    # coverage and the verdict, in every format (issue 9)
    "verdict-incomplete": ("检查不完整:{reasons}", "Check incomplete: {reasons}"),
    "verdict-incomplete-files": (
        "{count} 个文件缺少必查规则所需的列,这些规则未能检查({files})",
        "{count} file{s} lack{verb} columns that essential rules need, so those rules were not checked ({files})",
    ),
    "verdict-failed-files": ("{count} 个文件无法检查({files})", "{count} file{s} could not be checked ({files})"),
    "verdict-nothing-read": ("没有读到任何名单", "no slate was read"),
    "verdict-found-too": (";已检查的部分发现 {found}", "; what was checked has {found}"),
    "verdict-found": ("发现 {found}", "Found {found}"),
    "verdict-clean": ("未发现问题", "No problems found"),
    "verdict-clean-notices": ("未发现问题(另有 {found})", "No problems found ({found} besides)"),
    "count-error": ("{n} 个错误", "{n} error{s}"),
    "count-warning": ("{n} 个警告", "{n} warning{s}"),
    "count-notice": ("{n} 条提示", "{n} notice{s}"),
    "list-sep": ("、", ", "),
    "rule-sep": ("、", "; "),
    "and-more": ("等 {count} 个", " and {more} more"),
    "or": ("或", " or "),
    "and": ("和", " and "),
    "missing-of": ("缺少{columns}列", "no {columns} column"),
    "missing-unknown": ("缺少所需列", "columns missing"),
    "column-quoted": ("「{title}」", "'{title}'"),
    "unchecked-essential": (
        "检查不完整,未能检查({missing}):{rules}",
        "INCOMPLETE, not checked ({missing}): {rules}",
    ),
    "unchecked-optional": ("未检查(可选,{missing}):{rules}", "not checked (optional; {missing}): {rules}"),
    "no-violations-incomplete": (
        "已检查的规则中没有问题,但必查规则未能全部检查",
        "the rules that were checked found nothing, but not every essential rule was checked",
    ),
    "in-files": ("涉及文件:{files}", "files: {files}"),
    "junit-unchecked-essential": ("必查规则未能检查:{where}", "essential rule not checked: {where}"),
    "junit-unchecked-optional": ("可选规则未检查:{where}", "optional rule not checked: {where}"),
    "junit-file-where": ("{path}({missing})", "{path} ({missing})"),
    "status-incomplete": ("检查不完整", "incomplete"),
    "status-passed-over": ("已跳过", "passed over"),
    "optional-mark": ("可选,", "optional; "),
    "col-notes": ("说明", "notes"),
    "col-county": ("县(市、区)", "county"),
    "col-files": ("涉及文件", "files"),
    "coverage-complete": ("检查完整:每个文件都检查了全部必查规则", "Check complete: every essential rule was checked on every file"),
    "made-by-report": (
        "这是 rulecheck 生成的检查结果工作簿,不是拟任人选名单,已跳过",
        "this is a results workbook that rulecheck wrote, not a slate; passed over",
    ),
    "made-by-annotated": (
        "这是 rulecheck 生成的标注副本,不是原始名单,已跳过",
        "this is an annotated copy that rulecheck wrote, not an original slate; passed over",
    ),
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
    # what a typed column accepts (value-unreadable findings)
    "accepted-boolean": ("是、否、{own}√、×、有、无", "是 or 否 (yes/no), {own}√, ×, 有, 无"),
    # a number column with bounds or whole numbers only (rule file: between, whole)
    "accepted-number-between-whole": ("{low} 至 {high} 之间的整数", "a whole number from {low} to {high}"),
    "accepted-number-between": ("{low} 至 {high} 之间的数字", "a number from {low} to {high}"),
    "accepted-whole-number": ("整数,如 40", "a whole number such as 40"),
    "accepted-birth-date": (
        "1968.05、1968.5、1968年5月、1968-05-12、19680512 或 Excel 日期",
        "1968.05, 1968.5, 1968年5月, 1968-05-12, 19680512 or an Excel date",
    ),
    "accepted-date": ("完整日期,如 2007-10-15、2007.10.15、2007年10月15日 或 Excel 日期", "a full date such as 2007-10-15, 2007.10.15, 2007年10月15日 or an Excel date"),
    "accepted-years": ("年份,如 2005、2006 或 2005-2007;没有的填“无”", "years such as 2005、2006 or 2005-2007; 无 for none"),
    "accepted-number": ("数字,如 40 或 40平方米", "a number such as 40 or 40平方米"),
    "accepted-id-number": ("18 位或 15 位身份证号", "an 18- or 15-character identity number"),
    "duplicate-place": ("{file} 工作表「{sheet}」第 {row} 行", "{file}, sheet '{sheet}', row {row}"),
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
    # the command line's own words (issue 10): rulecheck.toml errors that name their file once, rule lists by title
    "config-syntax-at": ("配置文件格式错误:{reason}", "not valid TOML: {reason}"),
    "config-cannot-read": ("无法读取配置文件:{reason}", "cannot read the config file: {reason}"),
    "config-missing": ("找不到这个配置文件", "no such config file"),
    "config-not-utf8": ("不是 UTF-8 编码的文字", "not UTF-8 text"),
    "rule-with-id": ("{title}({id})", "{title} ({id})"),
    "unknown-rule-titled": (
        "没有这条规则:{rule}。规则有(括号中是要输入的编号):{rules}",
        "unknown rule '{rule}'; the rules (type the id in brackets): {rules}",
    ),
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
    "col-not-checked": ("未能检查的规则", "rules not checked"),
    "status-ok": ("已检查", "checked"),
    "status-failed": ("无法检查", "could not check"),
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
    # --- findings (issue 11) ---
    # --- column types and reading (issue 11) ---
    # --- run and cli (issue 11) ---
    # --- template (issue 12) ---
    "template-wrote": ("已写出输入模板 {path}(按规则文件 {rules})", "wrote the input template {path} (from the rule file {rules})"),
    "template-suffix": ("模板要写成 .xlsx 文件,{path} 不是", "the template is written as an .xlsx file, and {path} is not one"),
    "template-is-dir": ("{path} 是文件夹;请用 -o 给出模板的文件名,如 拟任人选名单模板.xlsx",
                        "{path} is a folder; give the template's file name with -o, such as 拟任人选名单模板.xlsx"),
    "template-text": ("文字", "text"),
    "template-required": ("必填。", "Required. "),
    "template-prompt-list": ("请从下拉列表中选择:{forms}", "Choose from the list: {forms}"),
    "template-prompt": ("请填写:{forms}", "Type {forms}"),
    "template-error-list": ("「{column}」只能从下拉列表中选择:{forms}", "{column} takes one of the list: {forms}"),
    "template-error": ("「{column}」填写的内容无法识别;可填写:{forms}", "{column} cannot be read as typed; accepted: {forms}"),
    "template-heading": ("填表说明:{title}", "How to fill in the slate: {title}"),
    "template-source": ("依据:{source}(规则文件 {file})", "Source: {source} (rule file {file})"),
    "template-how": (
        "请在「{slate}」工作表中每行填写一名拟任人选,不要修改第 1 行的表头;有下拉箭头的列请从列表中选择,"
        "选中单元格时会提示该列的填写方法。填好后用 rulecheck 检查,本说明页不作为名单检查。",
        "Fill in one nominee a row on the '{slate}' sheet and leave the header in row 1 as it is (rulecheck reads "
        "those Chinese titles); choose from the list where a column has a drop-down arrow; selecting a cell shows "
        "what its column takes. Then check the file with rulecheck: this sheet is not read as a slate.",
    ),
    "template-columns": ("一、各列的填写方法", "1. The columns"),
    "template-col-header": ("列名(表头)", "header"),
    "template-col-meaning": ("英文名称", "meaning"),
    "template-exemption": ("{rule}(放宽条件)", "{rule} (for the exemption)"),
    "template-col-required": ("必填", "required"),
    "template-col-accepted": ("可填写的内容", "accepted"),
    "template-col-rules": ("用于检查的规则", "rules that read it"),
    "template-rules": ("二、检查的规则", "2. The rules checked"),
    "template-rule-id": ("规则编号", "rule"),
    "template-rule-title": ("规则", "title"),
    "template-rule-severity": ("级别", "severity"),
    "template-rule-quote": ("原文", "the speech's words"),
    "template-rule-reading": ("解读", "how it is read"),
    # --- waivers (issue 12) ---
    "severity-waived": ("已批准豁免", "waived (approved)"),
    "scope-waiver": ("豁免文件", "waiver file"),
    "heading-waived": ("已批准豁免(不计入错误和警告)", "Waived (approved; not counted as errors or warnings)"),
    "waived-approval": ("批准单位:{approved_by};批复文号:{reference};理由:{reason}{expiry}",
                        "approved by {approved_by}, ref. {reference}: {reason}{expiry}"),
    "waived-expiry": (";有效期至 {date}", "; until {date}"),
    "waived-at": ("(豁免文件 {where})", " (waiver file {where})"),
    "summary-waived": ("已批准豁免 {count} 项(豁免文件 {file}),不计入以上问题数",
                       "waived (approved): {count}, from the waiver file {file}; not counted above"),
    "waiver-unmatched-title": ("豁免应对应名单中的问题", "A waiver covers a finding"),
    "waiver-expired-title": ("豁免在有效期内", "A waiver is within its term"),
    "heading-waivers": ("豁免文件 {file}", "Waiver file {file}"),
    "waiver-unmatched": (
        "豁免文件 {where} 的豁免({rule},{who})没有对应任何问题:人选可能已不在名单上,或姓名、身份证号写错",
        "the waiver at {where} ({rule}, {who}) matches no finding: the person may have left the slate, "
        "or a name or number is mistyped",
    ),
    "waiver-expired": (
        "豁免文件 {where} 的豁免({rule},{who})已于 {expires} 到期,早于核对日 {as_of},不再适用{covered}",
        "the waiver at {where} ({rule}, {who}) expired on {expires}, before the as-of day {as_of}: "
        "it no longer applies{covered}",
    ),
    "waiver-expired-covered": (";它所涉及的 {count} 个问题照常计数", "; the {count} finding{s} it covered are counted"),
    "waivers-elsewhere": (
        "豁免文件 {file} 中有 {count} 项豁免涉及本次没有检查的镇(区):{townships}",
        "{count} waiver{s} in {file} concern townships not checked in this run: {townships}",
    ),
    "waivers-ignored": (
        "按 --no-waivers 未应用豁免文件 {file}:所有问题照常列出和计数",
        "--no-waivers: the waiver file {file} was not applied; every finding is listed and counted",
    ),
    "waivers-none": ("按 --no-waivers 未应用任何豁免", "--no-waivers: no waivers applied"),
    "waiver-who-id": ("身份证号 {id}", "identity number {id}"),
    "col-kind": ("类别", "kind"),
    "kind-exemption": ("讲话允许的豁免", "exemption the speech allows"),
    "kind-waiver": ("已批准豁免", "waived (approved)"),
    "col-approved_by": ("批准单位", "approved by"),
    "col-reference": ("批复文号", "reference"),
    "col-reason": ("豁免理由", "reason"),
    "col-expires": ("有效期至", "expires"),
    "col-waiver": ("豁免文件位置", "waiver"),
    "waivers-not-found": ("找不到豁免文件", "the waiver file does not exist"),
    # --- rule examples and schema (issue 12) ---
    "example-broke": (
        "{where}:规则 {rule} 的这个示例应当通过,却违反了该规则:{detail}",
        "{where}: this example of rule {rule} should pass, but breaks the rule: {detail}",
    ),
    "example-did-not-break": (
        "{where}:规则 {rule} 的这个示例应当违反该规则,却没有违反;{detail}",
        "{where}: this example of rule {rule} should break the rule, but does not; {detail}",
    ),
    "example-others-broken": ("违反的是其他规则:{rules}", "it breaks other rules only: {rules}"),
    "example-nothing-broken": ("没有违反任何规则", "it breaks no rule"),
    "example-not-checked": (
        "{where}:规则 {rule} 未能在这个示例上检查,缺少列:{detail}",
        "{where}: rule {rule} could not be checked on this example; it lacks the columns: {detail}",
    ),
    "example-not-read": (
        "{where}:规则 {rule} 的这个示例无法检查:{detail}",
        "{where}: this example of rule {rule} could not be checked: {detail}",
    ),
    "examples-ok": (
        "{path}:{rules} 条规则的 {examples} 个示例全部符合预期",
        "{path}: all {examples} examples behave as written (rules with examples: {rules})",
    ),
    "examples-bad": (
        "{path}:{examples} 个示例中有 {bad} 个不符合预期",
        "{path}: {bad} of {examples} examples do not behave as written",
    ),
    "examples-missing": (
        "{path}:{count} 条规则没有示例:{rules}",
        "{path}: rules without examples ({count}): {rules}",
    ),
    "examples-none": ("没有要检查的规则文件", "no rule files to test"),
    # --- serve (issue 13) ---
    "serve-started": ("rulecheck 网页版已启动,请在浏览器中打开:\n  {url}\n(只有持有此地址的人能使用;按 Ctrl+C 停止)",
                      "rulecheck's web page is running; open it in the browser:\n  {url}\n"
                      "(only someone with this address can use it; press Ctrl+C to stop)"),
    "serve-host-warning": ("警告:--host {host} 让其他电脑也能连到本页(仍需地址中的令牌);只在可信的网络中这样做",
                           "warning: --host {host} lets other computers reach the page (the address's token is still "
                           "needed); do this only on a network you trust"),
    "serve-bind-failed": ("无法在 {host}:{port} 上启动:{reason}(换一个端口,如 --port 0)",
                          "cannot listen on {host}:{port}: {reason} (try another port, e.g. --port 0)"),
    "serve-bad-port": ("端口应在 0 到 65535 之间,而不是 {port}", "the port must be from 0 to 65535, not {port}"),
    "serve-bad-size": ("--max-upload 应至少为 1(MiB),而不是 {size}", "--max-upload must be at least 1 (MiB), not {size}"),
}


def t(lang: str, key: str, **params: object) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled in."""
    zh, en = _MESSAGES[key]
    return (en if lang == "en" else zh).format(**params)
