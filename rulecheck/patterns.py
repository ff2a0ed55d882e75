"""Regular expressions compiled on first use: most runs never need most patterns, and start-up counts."""

from __future__ import annotations

import re
from typing import Any, AnyStr, Generic


class lazy(Generic[AnyStr]):  # noqa: N801 - stands in for re.compile
    """``re.compile(pattern, flags)``, done the first time one of its methods is asked for."""

    def __init__(self, pattern: AnyStr, flags: int = 0):
        self.pattern, self.flags = pattern, flags

    def __getattr__(self, name: str) -> Any:
        method = getattr(re.compile(self.pattern, self.flags), name)
        setattr(self, name, method)  # found directly from now on
        return method
