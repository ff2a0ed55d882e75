"""Tables: cells and their values, column types, identity numbers."""
