"""Command words: ``rulecheck template``, ``rulecheck serve`` and the like, beside ``rulecheck PATH``.

A word is taken as a command only where no file or folder of that name exists, so
``rulecheck template`` still checks a folder called ``template`` if there is one. Each command is a
``typer.Typer`` in its own module, imported only when its word is used (``serve`` brings in a web
server that the check must not load). To add a command: write the module, add one line here, and give
its help in both languages (``doc`` below and the options in ``rulecheck.render.i18n.HELP``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Command:
    module: str  # imported when the word is used
    app: str  # the module's typer.Typer
    doc: tuple[str, str]  # what it does, (zh, en): shown in its help and in ``rulecheck --help``


COMMANDS: dict[str, Command] = {
    "template": Command("rulecheck.template", "app", ("写出带下拉列表和填表说明的输入模板(.xlsx)",
                                                      "Write the input template (.xlsx) with drop-downs and instructions")),
    "serve": Command("rulecheck.serve.command", "app", ("在本机启动网页版,在浏览器中检查名单",
                                                           "Start the local web page: check slates in a browser")),
    "test-rules": Command("rulecheck.rulefile.examples", "app", (
        "运行规则文件中各条规则自带的示例,列出与预期不符的示例",
        "Run the examples each rule of a rule file carries; list those that do not behave as written")),
    "schema": Command("rulecheck.rulefile.schema", "app", (
        "输出规则文件的 JSON Schema,供编辑器补全和检查规则文件",
        "Print the JSON Schema of rule files, for an editor to complete and check them")),
}


def command_word(argv: list[str]) -> str | None:
    """The command ``argv`` names, or None for a check. A word that is also a file or folder is a check."""
    if not argv or argv[0] not in COMMANDS or Path(argv[0]).exists():
        return None
    return argv[0]


def load(word: str) -> Any:
    """The click command behind ``word``."""
    import typer

    entry = COMMANDS[word]
    app = getattr(importlib.import_module(entry.module), entry.app)
    return typer.main.get_command(app)


def listing(lang: str) -> str:
    """The commands for ``rulecheck --help``, one a line."""
    if not COMMANDS:
        return ""
    zh = lang == "zh"
    width = max(map(len, COMMANDS))
    lines = ["\b", "其他命令(当没有同名文件或文件夹时):" if zh else "Other commands (where no file or folder has the name):"]
    lines += [f"  rulecheck {word:<{width}}  {c.doc[0] if zh else c.doc[1]}" for word, c in COMMANDS.items()]
    return "\n".join(lines)
