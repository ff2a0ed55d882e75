"""``rulecheck schema``: the JSON Schema of rule files, from the pydantic models that validate them.

An editor given it (VS Code's YAML extension: ``# yaml-language-server: $schema=rules.schema.json`` at the
top of a rule file, or ``yaml.schemas`` in its settings) completes keys and flags a wrong one as it is
typed. The schema checks the file's shape; what only loading can check (expressions, column names,
placeholders) is still said by ``rulecheck --rules FILE --list-rules`` and ``rulecheck test-rules FILE``.
"""

from __future__ import annotations

import json
from typing import Any

import typer

from rulecheck import __version__
from rulecheck.rulefile.ruleset import RulesetSpec

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def rule_file_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that a rule file, read as YAML, satisfies."""
    schema = RulesetSpec.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://rulecheck.invalid/schema/rule-file-{__version__}.json",
        **schema,
        "title": "rulecheck rule file",
        "description": "A rulecheck rule file (YAML): its ruleset header, parameters, columns, groups, derived fields, rules and summary.",
    }


app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]})


@app.command()
def command(
    lang: str | None = typer.Option(None, "--lang", help="Language of messages: zh|en."),
) -> None:
    """Print the JSON Schema of rule files."""
    typer.echo(json.dumps(rule_file_schema(), ensure_ascii=False, indent=2))
