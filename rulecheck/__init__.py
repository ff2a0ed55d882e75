"""rulecheck: check village Party-organization election slates against declarative rule files."""

__version__ = "1.0.0"
