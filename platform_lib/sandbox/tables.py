"""A person's sandboxes: what they hold, and removing them (``tailor sandbox list|drop``).

A sandbox is the lake a dev run writes a team's tables to (catalog
``<warehouse>/sandboxes/<team>__dev_<user>.sqlite``, data files in the folder beside it; see
``environment``). Listing reads read-only; ``drop`` removes only sandboxes, never production.
"""

import shutil
from contextlib import ExitStack
from pathlib import Path

from platform_lib.environment.sandbox_naming import sandbox_name, sandbox_team
from platform_lib.sql import quote_identifier, row_count, table_names
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.layout import sandbox_lakes
from platform_lib.warehouse.records import table_records


def sandbox_tables(root: Path, user: str) -> list[dict]:
    """Every table in ``user``'s sandboxes: rows, the sample it was made from, when."""
    rows = []
    for sandbox, lake in sandbox_lakes(root, user).items():
        with lake_connection(lake, read_only=True) as connection:
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
    """Delete ``user``'s sandboxes (of ``team`` only, if given): each lake's catalog and data
    files; returns the catalogs removed. While a run writes one, none is removed."""
    chosen = [
        lake
        for sandbox, lake in sandbox_lakes(root, user).items()
        if not team or sandbox == sandbox_name(team, user)
    ]
    with ExitStack() as writers:  # no writer of any of them while they are removed
        for lake in chosen:
            writers.enter_context(lake.writer_lock(wait_seconds=5))
        for lake in chosen:
            shutil.rmtree(lake.data_path, ignore_errors=True)
            for file in lake.files():
                file.unlink(missing_ok=True)
    return [lake.catalog for lake in chosen]
