"""Reading: a file's bytes to raw sheets (identify the format, zip safety, workbooks, text formats, limits)."""
