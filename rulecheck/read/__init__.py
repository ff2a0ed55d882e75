"""Reading: a file's bytes to raw sheets (the input formats in ``inputs``, zip safety, workbooks, text formats, limits).

Nothing here knows a rule file: mapping a sheet's columns to one is ``rulecheck.table.header``.
"""
