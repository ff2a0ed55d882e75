"""The names of the expression language as ``rulecheck.lang.expr`` gave them before the language was split
into syntax, types, typecheck, evaluate and functions/.

Kept for the callers not yet moved (engine.py, rulefile/ruleset.py): new code imports from
``rulecheck.lang``. This module goes once no caller imports it.
"""

from rulecheck.lang import *  # noqa: F403  (the public names, as listed in rulecheck.lang.__all__)
from rulecheck.lang import __all__  # noqa: F401
