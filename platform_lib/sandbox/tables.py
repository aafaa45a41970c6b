"""A person's sandboxes: what they hold, and removing them (``tailor sandbox list|drop``).

A sandbox is the database a dev run writes a team's tables to
(``<warehouse>/sandboxes/<team>__dev_<user>.duckdb``, see ``environment``). Listing reads
read-only; ``drop`` removes only sandboxes, never production.
"""

from pathlib import Path

from platform_lib.environment.sandbox_naming import sandbox_name, sandbox_team
from platform_lib.sql import quote_identifier, row_count, table_names
from platform_lib.warehouse.catalog import table_records
from platform_lib.warehouse.connection import warehouse_connection
from platform_lib.warehouse.layout import sandbox_databases


def sandbox_tables(root: Path, user: str) -> list[dict]:
    """Every table in ``user``'s sandboxes: rows, the sample it was made from, when."""
    rows = []
    for sandbox, path in sandbox_databases(root, user).items():
        with warehouse_connection(path, read_only=True) as connection:
            records = table_records(connection)
            for table in table_names(connection):
                record = records.get(table)
                rows.append(
                    {
                        "sandbox": sandbox,
                        "asset": f"{sandbox_team(sandbox)}/{table}",
                        "rows": row_count(connection, quote_identifier(table)),
                        "sample": record.sample if record else "unknown",
                        "written_at": record.written_at if record else None,
                    }
                )
    return rows


def drop_sandboxes(root: Path, user: str, team: str | None = None) -> list[Path]:
    """Delete ``user``'s sandboxes (of ``team`` only, if given); returns the files removed.
    If a process still has one open, none is removed and the error names it."""
    chosen = [
        path
        for sandbox, path in sandbox_databases(root, user).items()
        if not team or sandbox == sandbox_name(team, user)
    ]
    for path in chosen:  # every one free before any is removed
        with warehouse_connection(path, read_only=False, wait_seconds=5):
            pass
    for path in chosen:
        for file in (path, path.with_name(path.name + ".wal")):
            file.unlink(missing_ok=True)
    return chosen
