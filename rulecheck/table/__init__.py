"""Tables: the header found and columns mapped (``header``), cells and their values, column types, identity numbers."""
