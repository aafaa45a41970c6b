"""SQL text and the small DuckDB probes every package runs.

Identifiers are always quoted and values bound as parameters; a value spliced into SQL text
goes through ``quote_literal``. Probes take an open connection and never hold results.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load (see the tests)
    import duckdb

ALL_NULL_TYPE = '"NULL"'
"""DuckDB's type for a column that holds nothing but nulls (from an all-None frame column);
DuckDB 1.5 describes such a frame column as INTEGER instead: ``null_columns`` tells both."""


def quote_identifier(name: str) -> str:
    """Quote ``name`` as a DuckDB identifier (embedded double quotes are doubled)."""
    if not name or "\x00" in name:
        raise ValueError(f"{name!r} is not a usable SQL identifier")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: object) -> str:
    """``value`` as SQL text: booleans, integers, finite floats and strings. Anything else
    (None, NaN, timestamps, ...) raises ValueError: SQL text would not spell it exactly."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise ValueError(f"{value!r} has no exact SQL literal")


def with_literals(sql: str, parameters: list) -> str:
    """``sql`` with each ``?`` placeholder (outside quotes) spelt as its parameter's literal
    (``quote_literal``), for SQL text that cannot take parameters, such as a view's."""
    pieces = re.split(r"(\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*')", sql)  # quoted at odd indices
    if sum(piece.count("?") for piece in pieces[::2]) != len(parameters):
        raise ValueError(f"{sql!r} does not have one placeholder per parameter {parameters!r}")
    values = iter(parameters)
    return "".join(
        piece if quoted % 2 else re.sub(r"\?", lambda _: quote_literal(next(values)), piece)
        for quoted, piece in enumerate(pieces)
    )


def column_types(connection: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """The columns of ``relation`` (a quoted table name or a parenthesized query) and their
    DuckDB types, in order."""
    described = connection.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return {name: kind for name, kind, *_ in described}


def null_columns(connection: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    """The columns of ``relation`` that hold no value at all (every row null, or no rows):
    compatible with any stored type."""
    names = list(column_types(connection, relation))
    if not names:
        return set()
    counts = ", ".join(f"count({quote_identifier(name)})" for name in names)
    values = connection.execute(f"SELECT {counts} FROM {relation}").fetchall()[0]
    return {name for name, count in zip(names, values, strict=True) if count == 0}


def row_count(connection: duckdb.DuckDBPyConnection, relation: str) -> int:
    """How many rows ``relation`` holds."""
    return connection.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]


def table_names(
    connection: duckdb.DuckDBPyConnection, *, schema: str = "main", database: str | None = None
) -> list[str]:
    """The tables of ``schema`` in ``database`` (default: the connection's current one),
    sorted by name."""
    rows = connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? "
        "AND database_name = coalesce(?, current_database()) ORDER BY table_name",
        [schema, database],
    ).fetchall()
    return [name for (name,) in rows]


def table_exists(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    *,
    schema: str = "main",
    database: str | None = None,
) -> bool:
    """Whether ``schema.table`` exists in ``database`` (default: the current one)."""
    return table in table_names(connection, schema=schema, database=database)
