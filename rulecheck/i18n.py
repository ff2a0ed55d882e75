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

from rulecheck.messages import LANGS

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
    "paths": ("要检查的名单:文件(.xlsx .xlsm .xls .ods .csv)或文件夹(含子文件夹)。",
              "Slates to check: files (.xlsx .xlsm .xls .ods .csv) or folders (searched recursively).",
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


def localize(command: Any, lang: str, formats: Sequence[str]) -> Any:
    """Give the click command its help texts, metavars, headings and usage line in ``lang``."""
    zh = lang == "zh"
    command.help = DOC[lang]
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
_CLICK_MESSAGES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern), zh, en) for pattern, zh, en in (
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
