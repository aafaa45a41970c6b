"""What a lake on disk holds, read the way any reader reads it (read-only, from its files)."""

from pathlib import Path

from platform_lib.sql import table_names
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake


def lake_tables(catalog: Path) -> list[str]:
    """The tables of the lake of ``catalog``."""
    with lake_connection(FileLake(catalog), read_only=True) as connection:
        return table_names(connection)


def lake_versions(catalog: Path) -> list[int]:
    """Every snapshot id of the lake of ``catalog``: its whole history."""
    with lake_connection(FileLake(catalog), read_only=True) as connection:
        lake = connection.execute("SELECT current_database()").fetchall()[0][0]
        rows = connection.execute(f"SELECT snapshot_id FROM ducklake_snapshots('{lake}')")
        return [version for (version,) in rows.fetchall()]
