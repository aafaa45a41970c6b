"""The warehouse's own record of each table: its sample key, and how it was written.

Every database holds ``tailor.tables``, written in the same transaction as the table it
describes: the key its producer declared for sampling, the sample it was computed from
(``full`` for a whole run), the environment and run that wrote it, and when. Consumers in
other code locations learn a table's sample key here; ``tailor sandbox`` reads the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from platform_lib.sql import quote_identifier, table_exists

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

SCHEMA, TABLE = "tailor", "tables"
CATALOG = f"{SCHEMA}.{TABLE}"
_COLUMNS = "table_name, sample_by, sample, sample_seed, environment, run_id, written_at"


@dataclass(frozen=True)
class TableRecord:
    """What the warehouse knows about one of its tables."""

    table: str
    sample_by: str | None
    sample: str
    sample_seed: str
    environment: str
    run_id: str
    written_at: datetime


def record_write(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    *,
    sample_by: str | None,
    sample: str,
    sample_seed: str,
    environment: str,
    run_id: str,
) -> None:
    """Record a write of ``table``, inside the transaction that writes it."""
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {CATALOG} (table_name VARCHAR PRIMARY KEY, "
        "sample_by VARCHAR, sample VARCHAR, sample_seed VARCHAR, environment VARCHAR, "
        "run_id VARCHAR, written_at TIMESTAMPTZ)"
    )
    connection.execute(
        f"INSERT OR REPLACE INTO {CATALOG} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, now())",
        [table, sample_by, sample, sample_seed, environment, run_id],
    )


def table_records(
    connection: duckdb.DuckDBPyConnection, database: str | None = None
) -> dict[str, TableRecord]:
    """Every recorded table of the connection's database, or of the attached ``database``
    (none before its first write)."""
    database = database or connection.execute("SELECT current_database()").fetchall()[0][0]
    if not table_exists(connection, TABLE, schema=SCHEMA, database=database):
        return {}
    catalog = f"{quote_identifier(database)}.{CATALOG}"
    rows = connection.execute(f"SELECT {_COLUMNS} FROM {catalog}").fetchall()
    return {row[0]: TableRecord(*row) for row in rows}
