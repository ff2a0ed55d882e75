"""The expression language of rule files: syntax, types, evaluation, functions."""
