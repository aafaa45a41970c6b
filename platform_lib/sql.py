"""Safe SQL text: identifiers are always quoted, never interpolated raw."""


def quote_identifier(name: str) -> str:
    """Quote ``name`` as a DuckDB identifier (embedded double quotes are doubled)."""
    if not name or "\x00" in name:
        raise ValueError(f"{name!r} is not a usable SQL identifier")
    return '"' + name.replace('"', '""') + '"'


def qualified_table(schema: str, table: str) -> str:
    """``"schema"."table"`` with both parts quoted."""
    return f"{quote_identifier(schema)}.{quote_identifier(table)}"
