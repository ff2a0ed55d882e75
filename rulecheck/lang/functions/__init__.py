"""The functions of the rule language, by family; FUNCTIONS is the one registry the checker and evaluator read.

To add a function, write it in its family's module (or a new one) and list it in that module's
FUNCTIONS; a new family is one more line below.
"""

from __future__ import annotations

from rulecheck.lang.functions import cells, dates, groups, identity
from rulecheck.lang.functions.base import Function
from rulecheck.lang.functions.groups import group_count, group_distinct
from rulecheck.lang.functions.identity import ID_PROBLEMS, SEX, IdNumbers

FAMILIES = {"dates": dates.FUNCTIONS, "cells": cells.FUNCTIONS, "identity": identity.FUNCTIONS, "groups": groups.FUNCTIONS}

FUNCTIONS: dict[str, Function] = {name: fn for family in FAMILIES.values() for name, fn in family.items()}

__all__ = ["FAMILIES", "FUNCTIONS", "ID_PROBLEMS", "SEX", "Function", "IdNumbers", "group_count", "group_distinct"]
