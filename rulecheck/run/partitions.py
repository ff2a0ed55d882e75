"""Townships with settings of their own (rulecheck.toml): their rules, their as-of day, their rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rulecheck.findings import township_key
from rulecheck.table.header import Sheet
from rulecheck.rulefile.ruleset import Ruleset
from rulecheck.table.values import fold

if TYPE_CHECKING:
    from rulecheck.config import TownshipSettings


def with_params(ruleset: Ruleset, params: dict[str, Any]) -> Ruleset:
    """The same ruleset with some top-level parameters given other values."""
    if not params:
        return ruleset
    spec = ruleset.spec.model_copy(update={"params": {**ruleset.spec.params, **params}})
    return replace(ruleset, spec=spec)


def settings_of(ruleset: Ruleset, as_of: dt.date, townships: dict[str, TownshipSettings],
              ) -> list[tuple[str | None, Ruleset, dt.date]]:
    """The rules and as-of day for the townships without settings (key None) and for each with its own."""
    out: list[tuple[str | None, Ruleset, dt.date]] = [(None, ruleset, as_of)]
    for name, settings in townships.items():
        out.append((township_key(name), with_params(ruleset, settings.params), settings.as_of or as_of))
    return out


def partitions(sheets: list[Sheet], ruleset: Ruleset, as_of: dt.date,
                townships: dict[str, TownshipSettings]) -> list[tuple[str | None, Ruleset, dt.date, list[Sheet]]]:
    """Rows split by township where some townships have settings of their own.

    Every rule's scope (person, village, township) lies within one township, so checking each
    township's rows on their own gives the same findings as checking all rows together. The
    rows of townships without settings come first, under the key None, even when there are none.
    """
    if not townships:
        return [(None, ruleset, as_of, sheets)]
    column = ruleset.township_column
    own = {township_key(name) for name in townships}
    parts: dict[str | None, list[Sheet]] = {key: [] for key in own}
    rest: list[Sheet] = []
    for sheet in sheets:
        keys = fold(sheet.frame[column]) if column in sheet.frame else None
        for key in own:
            mask = (keys == key).fillna(False).to_numpy(dtype=bool) if keys is not None else None
            if mask is not None and mask.any():
                parts[key].append(replace(sheet, frame=sheet.frame[mask].reset_index(drop=True)))
        others = ~keys.isin(list(own)).fillna(False).to_numpy(dtype=bool) if keys is not None else None
        rest.append(sheet if others is None else replace(sheet, frame=sheet.frame[others].reset_index(drop=True)))
    return [(key, rules, day, rest if key is None else parts[key]) for key, rules, day in settings_of(ruleset, as_of, townships)
            if key is None or parts[key]]
