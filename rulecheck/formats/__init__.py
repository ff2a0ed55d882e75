"""Output formats: each module writes a rendered report (rulecheck.render.findings.Shown: the Report
put into words in one language, identity numbers masked) to a stream and nothing else.

Text formats write to a text stream; ``xlsx`` writes bytes, so it goes to a file (``--output``
or ``--report``), never to the terminal. A format's module is imported only when it is used,
so the plain text path never loads openpyxl.
"""

from __future__ import annotations

import importlib
from typing import IO, Callable

from rulecheck.render.findings import Shown

Writer = Callable[[Shown, IO], None]

# name → (module under rulecheck.formats, writes bytes)
_REGISTRY: dict[str, tuple[str, bool]] = {
    "text": ("text", False),
    "json": ("json", False),
    "csv": ("csv", False),
    "junit": ("junit", False),
    "github": ("github", False),
    "xlsx": ("xlsx", True),
}
FORMATS = tuple(_REGISTRY)


def writer(name: str) -> Writer:
    """The writer for a format name; raises KeyError for an unknown one."""
    module, _ = _REGISTRY[name]
    return importlib.import_module(f"rulecheck.formats.{module}").write


def is_binary(name: str) -> bool:
    """Whether the format writes bytes (and so needs a file)."""
    return _REGISTRY[name][1]
