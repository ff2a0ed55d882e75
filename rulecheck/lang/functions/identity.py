"""Identity numbers (GB 11643): id_valid(), id_birth(), id_sex(), id_problem().

Several rules ask about the same numbers, so a column's numbers are checked once: the evaluator
hands these functions an IdNumbers value, which the context keeps by the column's name (the engine
hands in those it checked already while reading birth dates).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from rulecheck.lang.functions.base import Function, signature
from rulecheck.lang.types import BOOL, DATE, Type

if TYPE_CHECKING:
    from rulecheck.lang.evaluate import Context
    from rulecheck.table.idnumber import Checked

ID_PROBLEMS = Type("category", frozenset({"stored-as-number", "length", "characters", "date", "check-digit"}))
SEX = Type("category", frozenset({"male", "female"}))


class IdNumbers:
    """Identity numbers and what checking them finds, each worked out on first use and kept.

    ``checked`` and ``birth`` may be given where they are known already (``birth`` as
    ``idnumber.birth(numbers, checked)`` gives it).
    """

    def __init__(self, numbers: pd.Series, checked: Checked | None = None, birth: pd.Series | None = None):
        self.numbers = numbers
        if checked is not None:
            self.checked = checked
        if birth is not None:
            self.birth = birth

    @cached_property
    def checked(self) -> Checked:
        from rulecheck.table import idnumber

        return idnumber.check(self.numbers)

    @cached_property
    def valid(self) -> pd.Series:
        from rulecheck.table import idnumber

        return idnumber.valid(self.numbers, self.checked)

    @cached_property
    def birth(self) -> pd.Series:
        from rulecheck.table import idnumber

        return idnumber.birth(self.numbers, self.checked)

    @cached_property
    def sex(self) -> pd.Series:
        from rulecheck.table import idnumber

        return idnumber.sex(self.numbers, self.checked)

    @property
    def problem(self) -> pd.Series:
        problems = self.checked.problems
        return problems.where(problems != "")  # a valid number has no problem


def _valid(ctx: Context, ids: IdNumbers) -> pd.Series:
    return ids.valid


def _birth(ctx: Context, ids: IdNumbers) -> pd.Series:
    return ids.birth


def _sex(ctx: Context, ids: IdNumbers) -> pd.Series:
    return ids.sex


def _problem(ctx: Context, ids: IdNumbers) -> pd.Series:
    return ids.problem


FUNCTIONS: dict[str, Function] = {
    "id_valid": Function("a well-formed identity number with a correct check digit (GB 11643)", (1, 1),
                         signature(BOOL, ("text",), fn="id_valid"), _valid, identity_numbers=True),
    "id_birth": Function("the birth date inside a valid identity number", (1, 1),
                         signature(DATE, ("text",), fn="id_birth"), _birth, identity_numbers=True),
    "id_sex": Function("the sex coded in a valid identity number", (1, 1),
                       signature(SEX, ("text",), fn="id_sex"), _sex, identity_numbers=True),
    "id_problem": Function("what is wrong with an identity number", (1, 1),
                           signature(ID_PROBLEMS, ("text",), fn="id_problem"), _problem, identity_numbers=True),
}
