"""Rule files: the schema, where each key is written, and compiling rules."""
