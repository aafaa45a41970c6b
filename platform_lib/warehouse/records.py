"""The warehouse's own record of each write: who wrote a table, how, and from what sample.

Every write of a table is one snapshot of its lake, and Tailor signs that snapshot inside the
same transaction (DuckLake's commit message): its author, and as JSON the table, the key its
producer declared for sampling, the sample it was computed from (``full`` for a whole run),
the environment, the run, and the columns it reads of other teams' assets (``consumers``).
A vetoed write rolls its record back with it. A table's record
is the latest signed snapshot of it; consumers in other code locations learn its sample key
here, ``tailor sandbox`` and ``tailor table history`` read the rest.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from platform_lib.sql import quote_literal, table_names

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

    from platform_lib.warehouse.writes import BeforeCommit

WRITE, RESTORE = "write", "restore"
"""What a signed snapshot did to its table."""


@dataclass(frozen=True)
class WriteInfo:
    """What Tailor signs a snapshot with."""

    table: str
    sample_by: str | None
    sample: str
    sample_seed: str
    environment: str
    run_id: str
    action: str = WRITE
    restored_from: int | None = None
    """For a restore, the version the table was brought back from."""
    reads: dict[str, list[str]] | None = None
    """The columns the table's asset reads of other teams' assets, ``{team/asset: columns}``
    (see ``consumers``)."""


@dataclass(frozen=True)
class TableRecord(WriteInfo):
    """A signed snapshot of one table: what was written, by whom, when, as which version."""

    version: int = 0
    written_at: datetime | None = None
    author: str = ""
    extra: dict = field(default_factory=dict, compare=False, repr=False)


def sign_write(connection: duckdb.DuckDBPyConnection, info: WriteInfo, author: str) -> None:
    """Sign the open transaction's snapshot with ``info`` (in the connection's lake)."""
    lake = connection.execute("SELECT current_database()").fetchall()[0][0]
    message = f"{info.action} {info.table}" + (
        f" from version {info.restored_from}" if info.restored_from is not None else ""
    )
    connection.execute(
        f"CALL ducklake_set_commit_message({quote_literal(lake)}, ?, ?, extra_info => ?)",
        [author, message, json.dumps(asdict(info))],
    )


def signed(info: WriteInfo, author: str, before_commit: BeforeCommit | None) -> BeforeCommit:
    """``before_commit`` preceded by signing the transaction's snapshot with ``info``: in the
    same transaction, so a veto rolls the signature back with the table."""

    def sign_then_decide(connection: duckdb.DuckDBPyConnection, location) -> bool:
        sign_write(connection, info, author)
        return before_commit is None or before_commit(connection, location)

    return sign_then_decide


def table_history(
    connection: duckdb.DuckDBPyConnection, table: str | None = None, database: str | None = None
) -> list[TableRecord]:
    """Every signed snapshot (of ``table``, or of any table) in the connection's lake, or in
    the attached lake ``database``, oldest first, up to the snapshot it reads (a lake
    attached as of a past version has its records as of then)."""
    database = database or connection.execute("SELECT current_database()").fetchall()[0][0]
    lake = quote_literal(database)
    rows = connection.execute(
        "SELECT snapshot_id, snapshot_time, author, commit_extra_info "
        f"FROM ducklake_snapshots({lake}) "
        "WHERE commit_extra_info IS NOT NULL AND (? IS NULL OR "
        "json_extract_string(commit_extra_info, '$.table') = ?) "
        f"AND snapshot_id <= (SELECT id FROM ducklake_current_snapshot({lake})) "
        "ORDER BY snapshot_id",
        [table, table],
    ).fetchall()
    records = []
    for version, written_at, author, extra in rows:
        try:
            info = json.loads(extra)
            signed = WriteInfo(**{name: info.get(name) for name in WriteInfo.__annotations__})
        except (ValueError, TypeError):
            continue  # a snapshot signed by something other than Tailor
        records.append(
            TableRecord(
                **asdict(signed),
                version=version,
                written_at=written_at,
                author=author or "",
                extra=info,
            )
        )
    return records


def table_records(
    connection: duckdb.DuckDBPyConnection, database: str | None = None
) -> dict[str, TableRecord]:
    """The record of every table of the connection's lake, or of the attached lake
    ``database``: its latest signed snapshot (tables never signed have none)."""
    existing = set(table_names(connection, database=database))
    latest = {record.table: record for record in table_history(connection, database=database)}
    return {table: record for table, record in latest.items() if table in existing}
