"""Where each asset's table lives: one DuckDB file per team, one table per asset.

The asset ``[team, name]`` is the table ``name`` in ``<warehouse>/<team>.duckdb``. A team's
writes lock only its own file, so teams never wait for each other's writers, and a notebook
left open on one team's data cannot stall another team's runs. Attached together (see
``open_warehouse``) every table reads as ``team.name``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import AssetKey

from platform_lib.errors import WarehouseError
from platform_lib.settings import warehouse_dir
from platform_lib.sql import quote_identifier

if TYPE_CHECKING:  # duckdb is imported when a run needs it, not at load
    import duckdb

DATABASE_SUFFIX = ".duckdb"


@dataclass(frozen=True)
class TableLocation:
    """The warehouse table of one asset."""

    team: str
    table: str
    database: Path

    @property
    def name(self) -> str:
        """``team.table``, as a person reads it (and as ``open_warehouse`` resolves it)."""
        return f"{self.team}.{self.table}"

    @property
    def sql(self) -> str:
        """The table's quoted name inside its own team's database."""
        return quote_identifier(self.table)


def table_for(asset_key: AssetKey, root: Path) -> TableLocation:
    """The table of ``asset_key``; keys have two parts, ``[team, asset]``."""
    if len(asset_key.path) != 2:
        raise WarehouseError(
            f"Asset key {asset_key.to_user_string()} must have two parts, [team, asset], to map "
            "to a warehouse table. Define the asset through team_definitions."
        )
    team, table = asset_key.path
    if not team.isidentifier():
        raise WarehouseError(
            f"Asset key {asset_key.to_user_string()}: {team!r} is not a team name (a lowercase "
            "Python identifier). Define the asset through team_definitions."
        )
    return TableLocation(team=team, table=table, database=root / f"{team}{DATABASE_SUFFIX}")


def team_databases(root: Path) -> dict[str, Path]:
    """Every team database in the warehouse folder, by team."""
    return {path.stem: path for path in sorted(root.glob(f"*{DATABASE_SUFFIX}"))}


@contextmanager
def open_warehouse(root: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only view of the whole warehouse for notebooks and ad-hoc SQL.

    Every team database is attached read-only under its team's name, so tables read as
    ``team.asset``. Keep it inside a ``with`` block: an open connection blocks that team's
    writers until it closes::

        with open_warehouse() as warehouse:
            frame = warehouse.sql("SELECT * FROM merchandising.inventory").df()
    """
    import duckdb

    root = Path(root) if root else warehouse_dir()
    connection = duckdb.connect()
    try:
        for team, path in team_databases(root).items():
            connection.execute(f"ATTACH ? AS {quote_identifier(team)} (READ_ONLY)", [str(path)])
        yield connection
    finally:
        connection.close()
