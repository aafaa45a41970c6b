"""open_warehouse: the whole warehouse, read-only, for notebooks and ad-hoc SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lib.settings import warehouse_dir
from platform_lib.sql import quote_identifier
from platform_lib.warehouse.layout import sandbox_databases, team_databases

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb


@contextmanager
def open_warehouse(
    root: Path | str | None = None, sandboxes_of: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only view of the whole warehouse for notebooks and ad-hoc SQL.

    Every team database is attached read-only under its team's name, so tables read as
    ``team.asset``; with ``sandboxes_of="alice"``, Alice's sandboxes are attached too, as
    ``team__dev_alice``. Keep it inside a ``with`` block: an open connection blocks that
    database's writers until it closes::

        from platform_lib import open_warehouse

        with open_warehouse() as warehouse:
            frame = warehouse.sql("SELECT * FROM merchandising.inventory").df()
    """
    import duckdb

    root = Path(root) if root else warehouse_dir()
    databases = team_databases(root)
    if sandboxes_of:
        databases |= sandbox_databases(root, sandboxes_of)
    connection = duckdb.connect()
    try:
        for name, path in databases.items():
            connection.execute(f"ATTACH ? AS {quote_identifier(name)} (READ_ONLY)", [str(path)])
        yield connection
    finally:
        connection.close()
