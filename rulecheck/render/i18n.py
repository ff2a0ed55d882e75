"""The command line's own words in the user's language: the help page, click's messages, system errors.

click (typer's copy of it) writes fixed English text: "Usage:", "Options", "Show this message and
exit.", "No such option: …", "Error: …". The language is found in argv before click parses
(``language(argv)``); ``localize`` gives the command its help texts and a formatter in that
language, and ``usage_error`` renders click's errors from their data (option name, suggestions,
parameter), so no English sentence reaches a Chinese user. ``os_reason`` does the same for the
operating system's ``strerror``.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Sequence
from typing import Any

from rulecheck.patterns import lazy
from rulecheck.render.messages import LANGS

# --------------------------------------------------------------------------- which language


def language(argv: Sequence[str], default: str | None = None) -> str | None:
    """The language asked for with ``--lang X`` or ``--lang=X`` (before any ``--``), else ``default``.

    An unknown value is returned as given, for the command to refuse in the default language.
    """
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return default


def usable(lang: str | None) -> str:
    """A language rulecheck speaks: ``lang`` when it is one, else zh."""
    return lang if lang in LANGS else "zh"


# --------------------------------------------------------------------------- the help page

DOC = {
    "zh": (
        "按规则文件检查村党组织换届拟任人选名单。\n\n"
        "退出码:0 未发现错误,1 发现错误,2 有输入未能检查。"
        "使用 --fail-on warning 时有警告也返回 1;使用 --fail-on never 时只有 2 会作为退出码。"
    ),
    "en": (
        "Check candidate slates (拟任人选名单) against a rule file.\n\n"
        "Exit codes: 0 no errors, 1 errors found, 2 some input could not be checked.\n"
        "With --fail-on warning, warnings also give 1; with --fail-on never, only 2 is an exit code."
    ),
}

# parameter name: (zh help, en help, zh metavar, en metavar); a metavar of None keeps click's
HELP: dict[str, tuple[str, str, str | None, str | None]] = {
    "paths": ("要检查的名单:文件(.xlsx .xlsm .xls .et .ett .ods .csv)或文件夹(含子文件夹)。",
              "Slates to check: files (.xlsx .xlsm .xls .et .ett .ods .csv) or folders (searched recursively).",
              "文件或文件夹", "PATHS"),
    "rules": ("规则文件(YAML)。默认用 rulecheck.toml 中指定的,否则用内置的 2007 年规则。",
              "Rule file (YAML). Default: rulecheck.toml's, else the bundled 2007 rules.", "规则文件", "FILE"),
    "as_of": ("计算年龄的核对日。默认用 rulecheck.toml 中的,否则用规则文件的 as_of。",
              "Day ages are counted on. Default: rulecheck.toml's, else the rule file's as_of.", "YYYY-MM-DD", "YYYY-MM-DD"),
    "format": ("输出格式:{formats}。", "Output format: {formats}.", "格式", "FORMAT"),
    "output": ("把该格式写入文件;文本报告仍显示在终端。", "Write the format to FILE; the text report still goes to the terminal.",
               "文件", "FILE"),
    "report": ("另外写出问题工作簿(汇总、问题清单、豁免、图表)。",
               "Also write the violations workbook (summary, list, exemptions, chart).", "文件.xlsx", "FILE.xlsx"),
    "annotate": ("把 xlsx/xlsm 输入的副本写入该文件夹,有问题的单元格标色并加批注。",
                 "Write copies of the xlsx/xlsm inputs to DIR with offending cells filled and commented.", "文件夹", "DIR"),
    "fail_on": ("何时返回退出码 1:error|warning|never。默认用 rulecheck.toml 中的,否则为 error。",
                "Exit 1 on: error|warning|never. Default: rulecheck.toml's, else error.", "级别", "LEVEL"),
    "show_id": ("完整显示身份证号(默认显示为 320682********1234)。",
                "Show identity numbers in full (masked as 320682********1234 by default).", None, None),
    "config": ("使用这个 rulecheck.toml,不再自动查找。", "Use this rulecheck.toml instead of searching for one.", "文件", "FILE"),
    "no_config": ("不使用任何 rulecheck.toml。", "Ignore any rulecheck.toml.", None, None),
    "lang": ("提示信息的语言:zh|en。默认用 rulecheck.toml 中的,否则为 zh(中文)。",
             "Language of messages: zh|en. Default: rulecheck.toml's, else zh.", "语言", "LANG"),
    "list_rules": ("列出规则文件中的规则后退出。", "List the rule file's rules and exit.", None, None),
    "explain": ("解释一条规则:出处、解读和检查方法。", "Explain one rule: its source, reading and check.", "规则", "RULE"),
    "version": ("显示版本号后退出。", "Show the version and exit.", None, None),
    "help": ("显示本帮助信息后退出。", "Show this message and exit.", None, None),
    # --- findings (issue 11) ---
    # --- column types and reading (issue 11) ---
    # --- run and cli (issue 11) ---
    # --- template (issue 12) ---
    "template_output": ("模板写到这个 .xlsx 文件(已有的文件会被替换)。", "Write the template to FILE.xlsx (an existing file is replaced).",
                        "文件.xlsx", "FILE.xlsx"),
    # --- waivers (issue 12) ---
    "waivers": ("豁免文件(YAML),每项写明规则、对象、理由、批准单位和批复文号。默认用 rulecheck.toml 旁边的 rulecheck-waivers.yaml。",
                "Waiver file (YAML): approved exceptions, each with its rule, whom it covers, reason, approver and "
                "reference. Default: rulecheck-waivers.yaml beside rulecheck.toml.", "文件", "FILE"),
    "no_waivers": ("不应用任何豁免,照常列出和计数所有问题(用于核查)。",
                   "Apply no waivers: list and count every finding as if none existed (an audit).", None, None),
    # --- rule examples and schema (issue 12) ---
    "rule_files": ("要运行其示例的规则文件(YAML)。默认用 rulecheck.toml 中指定的,否则用内置的全部规则文件。",
                   "Rule files (YAML) whose examples to run. Default: rulecheck.toml's, else every bundled rule file.",
                   "规则文件", "FILES"),
    # --- serve (issue 13) ---
    "serve_host": ("监听的地址。默认 127.0.0.1(仅本机);其他地址会让别的电脑也能连上(有警告)。",
                   "Address to listen on. Default 127.0.0.1 (this computer only); any other lets other computers in "
                   "(with a warning).", "地址", "ADDRESS"),
    "serve_port": ("监听的端口。默认 8765;0 表示任选一个空闲端口。", "Port to listen on. Default 8765; 0 picks a free one.",
                   "端口", "PORT"),
    "serve_no_browser": ("不自动打开浏览器(地址仍会显示)。", "Do not open the browser (the address is still printed).",
                         None, None),
    "serve_rules": ("页面上首先提供的规则文件(YAML)。默认用 rulecheck.toml 中的,另外总提供内置规则。",
                    "Rule file (YAML) the page offers first. Default: rulecheck.toml's; the bundled ones are always "
                    "offered.", "规则文件", "FILE"),
    "serve_config": ("使用这个 rulecheck.toml,不再从当前文件夹查找。",
                     "Use this rulecheck.toml instead of searching from the current folder.", "文件", "FILE"),
    "serve_no_config": ("不使用任何 rulecheck.toml。", "Ignore any rulecheck.toml.", None, None),
    "serve_lang": ("页面最初的语言:zh|en(页面上可一键切换)。默认 zh。",
                   "The page's first language: zh|en (one click switches it on the page). Default zh.", "语言", "LANG"),
    "serve_max_upload": ("一次上传的最大大小(MiB),超过则拒绝(413)。默认 64。",
                         "Largest upload at a time, in MiB; past it the upload is refused (413). Default 64.",
                         "MiB", "MiB"),
}

_WORDS = {  # click's fixed words on the help page
    "zh": {"Usage: ": "用法:", "Options": "选项", "Arguments": "参数", "Commands": "命令", "[OPTIONS]": "[选项]"},
    "en": {"Usage: ": "Usage: ", "Options": "Options", "Arguments": "Arguments", "Commands": "Commands", "[OPTIONS]": "[OPTIONS]"},
}
_DEFAULT = re.compile(r"\[default: ([^\]]*)\]")
_REQUIRED = "[required]"


def _formatter(base: type, lang: str) -> type:
    words = _WORDS[lang]

    class Formatter(base):  # type: ignore[misc, valid-type]
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, words["Usage: "] if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            super().write_heading(words.get(heading, heading))

        def write_text(self, text: str) -> None:
            if lang != "zh":
                return super().write_text(text)
            indent = " " * self.current_indent
            for paragraph in text.split("\n\n"):
                if paragraph.startswith("\b\n"):  # click's mark for a paragraph kept as written
                    for line in paragraph.splitlines()[1:]:
                        self.write(f"{indent}{line}\n")
                    self.write("\n")
                    continue
                for line in _wrap(" ".join(paragraph.split()), self.width - self.current_indent):
                    self.write(f"{indent}{line}\n")
                self.write("\n")
            self.buffer[-1] = ""  # no blank line after the last paragraph, as click writes it

        def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
            rows = [(_TYPE.sub("", term), _help_extras(text, lang)) for term, text in rows]
            if lang != "zh":
                return super().write_dl(rows, col_max, col_spacing)
            # click measures text by characters; a Chinese character takes two columns on a terminal
            first = min(max((display_width(term) for term, _ in rows), default=0), col_max) + col_spacing
            indent = " " * self.current_indent
            room = max(self.width - first - self.current_indent, 10)
            for term, text in rows:
                self.write(f"{indent}{term}")
                if display_width(term) <= first - col_spacing:
                    self.write(" " * (first - display_width(term)))
                else:
                    self.write("\n" + indent + " " * first)
                lines = _wrap(text, room) or [""]
                self.write(lines[0] + "\n")
                for line in lines[1:]:
                    self.write(f"{indent}{' ' * first}{line}\n")

    return Formatter


_TYPE = re.compile(r"\s<[^<>]*>$")  # typer's "<list[Path]>" after an argument: the metavar already says it
_CLOSING = set(",。;:、)」』》?!")


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: two for each wide (CJK) character."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text: str, width: int) -> list[str]:
    """Greedy wrap by display width: ASCII words kept whole, a line may break between Chinese characters."""
    tokens = re.findall(r"[^\s\u2e80-\uffff]+|[\u2e80-\uffff]|\s+", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if token.isspace():
            if line:
                line += " "
            continue
        if line and display_width(line + token) > width and token not in _CLOSING:
            lines.append(line.rstrip())
            line = ""
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _help_extras(text: str, lang: str) -> str:
    if lang != "zh":
        return text
    text = text.replace(HELP["help"][1], HELP["help"][0])
    text = _DEFAULT.sub(lambda m: f"[默认:{m.group(1)}]", text)
    return text.replace(_REQUIRED, "[必填]")


def localize(command: Any, lang: str, formats: Sequence[str], epilog: str = "", doc: str | None = None) -> Any:
    """Give the click command its help texts, metavars, headings and usage line in ``lang``.

    ``doc`` is a command word's own description (the check's by default); ``epilog`` ends the page.
    """
    zh = lang == "zh"
    command.help = DOC[lang] if doc is None else doc
    command.epilog = epilog or None
    command.options_metavar = _WORDS[lang]["[OPTIONS]"]
    for param in command.params:
        entry = HELP.get(param.name or "")
        if entry is None:
            continue
        text = (entry[0] if zh else entry[1]).format(formats="|".join(formats))
        if hasattr(param, "help"):
            param.help = text
        metavar = entry[2] if zh else entry[3]
        if metavar is not None:
            param.metavar = metavar
    context = command.context_class

    class Context(context):  # type: ignore[misc, valid-type]
        formatter_class = _formatter(context.formatter_class, lang)

    command.context_class = Context
    return command


# --------------------------------------------------------------------------- click's errors

_ERROR = {"zh": "错误:", "en": "Error: "}
_HINT = {"zh": "用 '{command} {option}' 查看帮助。", "en": "Try '{command} {option}' for help."}

# click's message texts (typer's copy and click 8 word them alike), each as a pattern and its zh
_CLICK_MESSAGES: tuple[tuple[lazy[str], str, str], ...] = tuple(
    (lazy(pattern), zh, en) for pattern, zh, en in (
        (r"^No such option: (?P<a>\S+)$", "没有这个选项:{a}", "No such option: {a}"),
        (r"^Option '(?P<a>[^']+)' requires an argument\.$", "选项 {a} 后面需要一个值", "Option '{a}' requires an argument."),
        (r"^Option '(?P<a>[^']+)' requires (?P<b>\d+) arguments\.$", "选项 {a} 后面需要 {b} 个值",
         "Option '{a}' requires {b} arguments."),
        (r"^Option '(?P<a>[^']+)' does not take a value\.$", "选项 {a} 不接受取值", "Option '{a}' does not take a value."),
        (r"^Got unexpected extra arguments? \((?P<a>.*)\)$", "多出了参数:{a}", "Got unexpected extra arguments ({a})"),
        (r"^No such command '(?P<a>[^']*)'\.?$", "没有这个命令:{a}", "No such command '{a}'."),
        (r"^Missing command\.?$", "缺少命令", "Missing command."),
        (r"^Missing parameter: (?P<a>\S+)$", "缺少参数:{a}", "Missing parameter: {a}"),
        (r"^'(?P<a>.*)' is not a valid (?P<b>integer|float|boolean)( range)?\.?$", "「{a}」不是有效的{b}",
         "'{a}' is not a valid {b}."),
        (r"^(?P<a>.*) is not (one of|a valid choice).*$", "「{a}」不是可选的值之一", "{a} is not one of the choices."),
    )
)
_KINDS_ZH = {"integer": "整数", "float": "数字", "boolean": "是/否值"}


def click_message(message: str, lang: str) -> str:
    """One of click's fixed message texts in ``lang`` (unknown ones as click wrote them)."""
    for pattern, zh, en in _CLICK_MESSAGES:
        match = pattern.match(message.strip())
        if match:
            values = {k: (_KINDS_ZH.get(v, v) if lang == "zh" else v) for k, v in match.groupdict().items()}
            return (zh if lang == "zh" else en).format(**values)
    return message


def _hint(param: Any) -> str:
    opts = getattr(param, "opts", None) or [getattr(param, "name", "") or ""]
    return " / ".join(opts)


def error_text(exc: Any, lang: str) -> str:
    """A click error as rulecheck shows it: the usage line and help hint (usage errors), then the error."""
    zh = lang == "zh"
    kind = type(exc).__name__
    message = str(getattr(exc, "message", "") or "")
    param = getattr(exc, "param", None)
    if kind == "NoSuchOption":
        text = click_message(f"No such option: {exc.option_name}", lang)
        possible = sorted(getattr(exc, "possibilities", None) or [])
        if possible:
            joined = (" 或 " if zh else " or ").join(possible)
            text += f"。是不是要输入 {joined}?" if zh else f". Did you mean {joined}?"
    elif kind == "MissingParameter":
        hint = getattr(exc, "param_hint", None) or (_hint(param) if param is not None else "")
        what = getattr(exc, "param_type", None) or getattr(param, "param_type_name", "parameter")
        if zh:
            text = ("缺少选项" if what == "option" else "缺少参数") + (f" {hint}" if hint else "")
        else:
            text = f"Missing {what}{(' ' + hint) if hint else ''}."
    elif kind in ("BadParameter",):
        hint = getattr(exc, "param_hint", None) or (_hint(param) if param is not None else None)
        inner = click_message(message, lang)
        if hint:
            text = f"{hint} 的取值无效:{inner}" if zh else f"Invalid value for {hint}: {inner}"
        else:
            text = f"取值无效:{inner}" if zh else f"Invalid value: {inner}"
    else:
        text = click_message(message, lang)
    lines = []
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and hasattr(exc, "ctx"):
        lines.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(_HINT[lang].format(command=ctx.command_path, option=ctx.help_option_names[0]))
        lines.append("")
    lines.append(_ERROR[lang] + text)
    return "\n".join(lines)


# --------------------------------------------------------------------------- the operating system's errors

_OS: dict[int, tuple[str, str]] = {
    errno.EPERM: ("不允许该操作", "Operation not permitted"),
    errno.ENOENT: ("文件或文件夹不存在", "No such file or directory"),
    errno.EACCES: ("没有权限", "Permission denied"),
    errno.EISDIR: ("这是一个文件夹", "Is a directory"),
    errno.ENOTDIR: ("路径中有一段不是文件夹", "Not a directory"),
    errno.ENOSPC: ("磁盘空间不足", "No space left on device"),
    errno.EDQUOT: ("超出磁盘配额", "Disk quota exceeded"),
    errno.EROFS: ("文件系统是只读的", "Read-only file system"),
    errno.EEXIST: ("文件已存在", "File exists"),
    errno.ENAMETOOLONG: ("文件名太长", "File name too long"),
    errno.EIO: ("读写设备出错", "Input/output error"),
    errno.EBUSY: ("文件或设备正忙", "Device or resource busy"),
    errno.ETXTBSY: ("文件正被使用", "Text file busy"),
    errno.EMFILE: ("打开的文件太多", "Too many open files"),
    errno.ELOOP: ("符号链接层数太多(可能循环)", "Too many levels of symbolic links"),
    errno.EFBIG: ("文件太大", "File too large"),
    errno.EXDEV: ("不能跨磁盘移动", "Invalid cross-device link"),
    errno.EINVAL: ("参数无效(文件名中可能有不允许的字符)", "Invalid argument"),
}


def os_reason(exc: BaseException, lang: str) -> str:
    """Why an operating-system call failed, in ``lang``: the errno's message, else the exception's text.

    A code rulecheck has no words for is shown in Chinese as 系统错误 with its code and name.
    """
    code = getattr(exc, "errno", None)
    if isinstance(code, int) and code in _OS:
        zh, en = _OS[code]
        return zh if lang == "zh" else en
    strerror = getattr(exc, "strerror", None)
    if isinstance(code, int):
        name = errno.errorcode.get(code, str(code))
        return f"系统错误 {name}" if lang == "zh" else (strerror or f"system error {name}")
    if lang == "zh" and isinstance(exc, OSError):
        return "系统错误"
    return strerror or str(exc)


# --------------------------------------------------------------------------- rule-file errors in Chinese

# The rule file's errors are written in English where they are found (ruleset.py, the expression
# checker, pydantic, PyYAML); each pattern below gives one of them in Chinese. Names, keys and lists
# of valid names stay as written: they are what the user types.
_TYPES_ZH = {"number": "数字", "text": "文字", "date": "日期", "bool": "是/否(true/false)", "years": "年份",
             "true/false": "是/否(true/false)"}


def _type_zh(name: str) -> str:
    if name.startswith("category("):
        return f"类别{name[len('category'):]}"
    return _TYPES_ZH.get(name, name)


def _types_zh(text: str) -> str:
    return "或".join(_type_zh(p) for p in text.split(" or "))


_RULE_FILE: tuple[tuple[lazy[str], Any], ...] = tuple((lazy(p + "$", re.S), zh) for p, zh in (
    # an expression's error, with where in the expression (first: the message inside is any of the others)
    (r"(?P<inner>.*) \(at '(?P<a>.*)' in: (?P<b>.*)\)", "{inner}(位置:「{a}」,表达式:{b})"),
    # reading the file
    (r"cannot read the rule file: (?P<reason>.*)", "无法读取规则文件:{reason}"),
    (r"the rule file is empty", "规则文件是空的"),
    (r"the rule file is nested too deeply to be a rule file", "规则文件嵌套层数过多,不是正常的规则文件"),
    (r"the bundled rule file is missing from the installation", "安装中缺少内置的规则文件,请重新安装 rulecheck"),
    (r"YAML syntax error: (?P<yaml>.*)", "YAML 格式错误:{yaml}"),
    (r"'(?P<value>.*)' is not a date \(YYYY-MM-DD\)", "「{value}」不是日期(应为 YYYY-MM-DD)"),
    (r"anchors and aliases \(&name, \*name\) are not allowed in a rule file", "规则文件中不允许使用锚点和别名(&name、*name)"),
    (r"a key must be a plain word, not a list or a mapping", "键必须是一个普通的词,不能是列表或映射"),
    # the schema
    (r"unknown key '(?P<a>[^']*)'; keys: (?P<b>.*)", "未知的键「{a}」;可用的键:{b}"),
    (r"unknown key '(?P<a>[^']*)'", "未知的键「{a}」"),
    (r"expected a number, a date \(YYYY-MM-DD\), true/false or text", "应为数字、日期(YYYY-MM-DD)、true/false 或文字"),
    (r"Field required", "缺少这一项(必填)"),
    (r"Input should be a valid boolean.*", "应为 true 或 false"),
    (r"Input should be a valid date.*", "应为日期(YYYY-MM-DD)"),
    (r"Input should be a valid (number|integer|float).*", "应为数字"),
    (r"Input should be a valid string.*", "应为文字"),
    (r"Input should be a valid list.*", "应为列表([a, b])"),
    (r"Input should be a valid (dictionary|mapping).*", "应为映射(键: 值)"),
    (r"Input should be (?P<choices>'.*)", "只能是 {choices}"),
    (r"Value error, (?P<inner>.*)", "{inner}"),
    (r"'categories' is required for type category, and only for it", "类型为 category 的列必须写 'categories',其他类型不能写"),
    (r"'confirm_with' applies only to type birth-date", "'confirm_with' 只用于 birth-date 类型的列"),
    (r"'yes_words' and 'no_words' apply only to type boolean", "'yes_words' 和 'no_words' 只用于 boolean 类型的列"),
    (r"'exempt_when' and 'evidence' go together", "'exempt_when' 和 'evidence' 必须同时写"),
    (r"a rule has either 'when' \(an expression\) or 'check' \(one of: (?P<a>.*)\)",
     "一条规则要么写 'when'(表达式),要么写 'check'(可选:{a})"),
    (r"'by' is required for check duplicate-persons, and only for it", "check 为 duplicate-persons 时必须写 'by',其他情况不能写"),
    (r"a rule with 'check' is a person rule without 'let', 'exempt_when' or 'observed'",
     "写了 'check' 的规则只能是 person 范围,且不能写 'let'、'exempt_when' 或 'observed'"),
    (r"'person' is the built-in per-row scope and cannot be redefined", "'person' 是内置的逐行范围,不能重新定义"),
    # names and references
    (r"unknown column '(?P<a>[^']*)'; columns: (?P<b>.*)", "没有列「{a}」;列有:{b}"),
    (r"'(?P<a>[^']*)' is not an id-number column", "「{a}」不是身份证号(id-number)类型的列"),
    (r"'(?P<a>[^']*)' is already a column or parameter", "「{a}」已经是列名或参数名"),
    (r"rule id '(?P<a>[^']*)' is used twice \(also (?P<b>[^)]*)\)", "规则编号「{a}」用了两次(另见 {b})"),
    (r"the summary is per township: 'groups' needs a '(?P<a>[^']*)' entry", "汇总按镇(区)计算:'groups' 中需要有 '{a}'"),
    (r"summary key '(?P<a>[^']*)' is used twice", "汇总项「{a}」用了两次"),
    (r"must be a number, but is (?P<type>.*)", "应为数字,实际是{type}"),
    (r"must be true/false, but is (?P<type>.*)", "应为是/否(true/false),实际是{type}"),
    (r"use per-row values inside an aggregate such as count\(\), mean\(\) or distinct\(\)",
     "逐行的值要放在 count()、mean()、distinct() 等汇总函数中使用"),
    (r"unknown rule '(?P<a>[^']*)'; rules: (?P<b>.*)", "没有规则「{a}」;规则有:{b}"),
    (r"unknown numeric parameter '(?P<a>[^']*)'; parameters: (?P<b>.*)", "没有数值参数「{a}」;数值参数有:{b}"),
    (r"unknown scope '(?P<a>[^']*)'; scopes: (?P<b>.*)", "没有范围「{a}」;范围有:{b}"),
    (r"exemptions apply to person rules only", "豁免只适用于 person(人选)范围的规则"),
    (r"in a (?P<a>\S+) rule use per-row values inside an aggregate such as mean\(\) or any\(\)",
     "{a} 范围的规则中,逐行的值要放在 mean()、any() 等汇总函数中使用"),
    (r"unknown column or derived field '(?P<a>[^']*)'; names: (?P<b>.*)", "没有列或派生字段「{a}」;可用:{b}"),
    (r"a key list names at least one column", "键列表至少要写一列"),
    (r"unknown placeholder '(?P<a>[^']*)'; placeholders: (?P<b>.*)", "未知的占位符「{a}」;可用的占位符:{b}"),
    (r"bad placeholder: (?P<a>.*)", "占位符写法有误:{a}"),
    (r"format '(?P<a>[^']*)' does not fit (?P<b>\S+) \((?P<type>.*)\)", "格式「{a}」不适用于 {b}({type})"),
    # expressions (expr.py), with where in the expression
    (r"expected '(?P<a>[^']*)', found end of expression", "缺少「{a}」(表达式提前结束)"),
    (r"expected '(?P<a>[^']*)', found '(?P<b>.*)'", "此处应为「{a}」,却是「{b}」"),
    (r"unexpected character '(?P<a>.*)'", "无法识别的字符「{a}」"),
    (r"unexpected '(?P<a>.*)' after a complete expression", "完整的表达式后面多出了「{a}」"),
    (r"expected a value, found end of expression", "缺少一个值(表达式提前结束)"),
    (r"expected a value, found '(?P<a>.*)'", "此处应为一个值,却是「{a}」"),
    (r"(?P<a>\w+)\(\) argument (?P<b>\d+) must be (?P<types>.*), not (?P<type>.*)", "{a}() 的第 {b} 个参数应为{types},不是{type}"),
    (r"coalesce\(\) needs two values of one type, not (?P<type>.*) and (?P<type2>.*)", "coalesce() 需要两个同类型的值,不是{type}和{type2}"),
    (r"date\(\) with one argument takes a literal like date\(\"2007-10-20\"\)", "只有一个参数的 date() 要写成 date(\"2007-10-20\") 这样的字面值"),
    (r"'(?P<a>[^']*)' is not a date in the form YYYY-MM-DD", "「{a}」不是 YYYY-MM-DD 格式的日期"),
    (r"date\(\) takes one text or three numbers \(year, month, day\)", "date() 接受一段文字,或三个数字(年、月、日)"),
    (r"'(?P<a>[^']*)' is not one of the values: (?P<b>.*)", "「{a}」不是可选的值之一;可选的值:{b}"),
    (r"a per-row value is mixed with a per-group value; use the row value inside an aggregate such as mean\(\) or any\(\)",
     "逐行的值与按组汇总的值混用;逐行的值要放在 mean()、any() 等汇总函数中使用"),
    (r"unknown name '(?P<a>[^']*)'; known names: (?P<b>.*)", "未知的名称「{a}」;可用的名称:{b}"),
    (r"'(?P<a>[^']*)' needs a (?P<type>.*), not (?P<type2>.*)", "「{a}」需要{type},不是{type2}"),
    (r"cannot compare (?P<type>.*) with (?P<type2>.*)", "不能把{type}和{type2}相比较"),
    (r"'(?P<a>[^']*)' needs true/false values, not (?P<type>.*)", "「{a}」需要是/否(true/false)值,不是{type}"),
    (r"'(?P<a>[^']*)' does not order (?P<type>.*) values", "「{a}」不能比较{type}的大小"),
    (r"'(?P<a>[^']*)' needs numbers, not (?P<type>.*) and (?P<type2>.*)", "「{a}」需要数字,不是{type}和{type2}"),
    (r"division by zero: the divisor is always 0", "除以零:除数总是 0"),
    (r"division by zero", "除以零"),
    (r"unknown function '(?P<a>[^']*)'; functions: (?P<b>.*)", "未知的函数「{a}」;可用的函数:{b}"),
    (r"(?P<a>\w+)\(\) takes (?P<b>\d+) argument\(s\), got (?P<c>\d+)", "{a}() 需要 {b} 个参数,实际给了 {c} 个"),
    (r"(?P<a>\w+)\(\) takes the name of a column; columns: (?P<b>.*)", "{a}() 的参数应为列名;列有:{b}"),
    (r"(?P<a>\w+)\(\) is an aggregate: use it in a village or township rule", "{a}() 是汇总函数,只能用在 village 或 township 范围的规则中"),
    (r"(?P<a>\w+)\(\) cannot take a per-group value", "{a}() 不能接受按组汇总的值"),
))

# PyYAML's and libyaml's commonest problems
_YAML: tuple[tuple[lazy[str], str], ...] = tuple((lazy(p, re.S), zh) for p, zh in (
    (r"^found character '(?P<a>.*)' that cannot start any token$", "这里有不能出现的字符 {a}(YAML 不允许用 Tab 缩进)"),
    (r"^found character that cannot start any token$", "这里有不能出现的字符(YAML 不允许用 Tab 缩进)"),
    (r"^mapping values are not allowed (here|in this context)$", "这里不能写「键: 值」(冒号后要有空格,缩进要对齐)"),
    (r"^could not find expected ':'$", "缺少冒号 :"),
    (r"^did not find expected key$", "缩进不对齐,或多了一个符号"),
    (r"^did not find expected node content$", "缺少内容"),
    (r"^did not find expected ',' or '(?P<a>.)'$", "缺少 , 或 {a}(括号没有闭合)"),
    (r"^expected ',' or '(?P<a>.)', but got (?P<b>.*)$", "缺少 , 或 {a}(括号没有闭合)"),
    (r"^found unexpected end of stream$", "文件意外结束(引号或括号没有闭合)"),
    (r"^found undefined alias.*$", "使用了未定义的别名"),
    (r"^found duplicate anchor.*$", "锚点重复"),
    (r"^block sequence entries are not allowed in this context$", "这里不能写列表项(- ),请检查缩进"),
    (r"^expected <block end>, but found '(?P<a>.*)'$", "缩进不对齐(遇到了「{a}」)"),
    (r"^expected (?P<a>.*), but found (?P<b>.*)$", "此处应为 {a},却是 {b}"),
    (r"^found a tab character (that violates|where an) .*$", "YAML 不允许用 Tab 缩进"),
    (r"^while scanning .*$", "格式不对"),
    (r"^unacceptable character .*$", "文件中有不能出现的字符"),
))


def _fill(zh: str, match: re.Match[str]) -> str:
    values = {}
    for key, value in match.groupdict().items():
        if value is None:
            value = ""
        if key in ("inner",):
            value = rule_file_message(value)
        elif key.startswith("type"):
            value = _types_zh(value)
        elif key == "yaml":
            value = _yaml_zh(value)
        elif key == "reason":
            value = _REASONS_ZH.get(value, "系统错误")
        elif key == "choices":
            value = value.replace(", ", "、").replace(" or ", " 或 ")
        values[key] = value
    return zh.format(**values)


def _yaml_zh(problem: str) -> str:
    for pattern, zh in _YAML:
        match = pattern.match(problem.strip())
        if match:
            return zh.format(**{k: v or "" for k, v in match.groupdict().items()})
    return "格式不对"


def rule_file_message(message: str) -> str:
    """A rule file's error (as ruleset.py, the expression checker, pydantic or PyYAML wrote it) in Chinese."""
    for pattern, zh in _RULE_FILE:
        match = pattern.match(message)
        if match:
            return _fill(zh, match)
    return f"规则文件有误({message})"


_REASONS_ZH = {en: zh for zh, en in _OS.values()} | {"not UTF-8 text": "不是 UTF-8 编码的文字"}


def value_message(message: str, lang: str) -> str:
    """pydantic's wording of a wrong value (``Input should be …``) in ``lang``."""
    if lang != "zh":
        return message
    for pattern, zh in _RULE_FILE:
        match = pattern.match(message)
        if match:
            return _fill(zh, match)
    return "取值无效"


# tomllib's errors, without their "(at line N, column M)": the line is named before the message
_TOML: tuple[tuple[lazy[str], str, str], ...] = tuple((lazy(p + "$", re.S), zh, en) for p, zh, en in (
    (r"Cannot overwrite a value", "同一个键写了两次", "a key is set twice"),
    (r"Cannot declare (?P<a>.*) twice", "表 [{a}] 声明了两次", "the table [{a}] is declared twice"),
    (r"Cannot mutate immutable namespace (?P<a>.*)", "{a} 已在别处整体写出,不能再添加键", "{a} is already written out whole elsewhere"),
    (r"Cannot redefine namespace (?P<a>.*)", "{a} 已定义,不能重新定义", "{a} is already defined"),
    (r"Duplicate inline table key '(?P<a>.*)'", "花括号中的键「{a}」写了两次", "the key '{a}' is set twice inside the braces"),
    (r"Expected '=' after a key in a key/value pair", "键后面缺少 =", "a key needs '=' after it"),
    (r"Expected '\]' at the end of a table declaration", "表名后面缺少 ]", "a table name needs ']' after it"),
    (r"Expected '\]\]' at the end of an array declaration", "表数组名后面缺少 ]]", "a table-array name needs ']]' after it"),
    (r"Invalid statement", "这一行不是「键 = 值」,也不是 [表名]", "the line is neither 'key = value' nor a [table]"),
    (r"Invalid value", "值的写法不对(文字要加双引号)", "the value is not valid TOML (text needs double quotes)"),
    (r"Unclosed array", "方括号 [ 没有闭合", "a '[' is not closed"),
    (r"Unclosed inline table", "花括号 { 没有闭合", "a '{{' is not closed"),
    (r"Unterminated string", "引号没有闭合", "a string's quote is not closed"),
    (r"Invalid date or datetime", "日期写法不对(应为 YYYY-MM-DD)", "not a valid date (YYYY-MM-DD)"),
    (r"Illegal character (?P<a>.*)", "有不能出现的字符 {a}", "the character {a} is not allowed"),
    (r"Found invalid character (?P<a>.*)", "有不能出现的字符 {a}", "the character {a} is not allowed"),
    (r"Invalid initial character for a key part", "键的第一个字符不对(中文键名要加双引号)", "a key starts with a character TOML does not allow (quote it)"),
    (r"Unescaped '\\\\' in a string", "文字中的 \\ 要写成 \\\\", "a '\\' in a string must be written '\\\\'"),
    (r"Invalid hex value", "十六进制值不对", "an invalid hex value"),
    (r"Escaped character is not a Unicode scalar value", "转义字符不对", "an escaped character is not a Unicode scalar value"),
    (r"Expected (?P<a>.*)", "此处应为 {a}", "expected {a}"),
))


def toml_message(message: str, lang: str, last_line: int | None = None) -> tuple[str, int | None, int | None]:
    """A tomllib error in ``lang``, with the line and column it names (``last_line`` at the end of the document)."""
    at = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message) or re.search(r"\s*\(at end of document\)\s*$", message)
    line = int(at.group(1)) if at and at.groups() else (last_line if at else None)
    column = int(at.group(2)) if at and at.groups() else None
    core = message[: at.start()] if at else message
    for pattern, zh, en in _TOML:
        match = pattern.match(core)
        if match:
            values = {k: ".".join(re.findall(r"'([^']*)'", v)) or v for k, v in match.groupdict().items()}
            text = (zh if lang == "zh" else en).format(**values)
            break
    else:
        text = "格式不对" if lang == "zh" else core
    if column is not None:
        text += f"(第 {column} 列)" if lang == "zh" else f" (column {column})"
    return text, line, column
