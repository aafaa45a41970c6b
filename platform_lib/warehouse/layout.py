"""Where each asset's table lives: one DuckDB file per team, one table per asset.

The asset ``[team, name]`` is the table ``name`` in ``<warehouse>/<team>.duckdb``. A team's
writes lock only its own file, so teams never wait for each other's writers, and a notebook
left open on one team's data cannot stall another team's runs. Attached together (see
``notebook.open_warehouse``) every table reads as ``team.name``.

A person's sandbox of a team is a file of its own too,
``<warehouse>/sandboxes/<team>__dev_<user>.duckdb``, read as ``<team>__dev_<user>.name``:
dev runs never take a production file's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from dagster import AssetKey

from platform_lib.environment.sandbox_naming import sandbox_name
from platform_lib.errors import WarehouseError
from platform_lib.sql import quote_identifier

DATABASE_SUFFIX = ".duckdb"
SANDBOX_FOLDER = "sandboxes"


@dataclass(frozen=True)
class TableLocation:
    """The warehouse table of one asset."""

    team: str
    table: str
    database: Path
    """The DuckDB file that holds the table: the team's, or the sandbox's."""
    sandbox: str | None = None
    """The sandbox (``<team>__dev_<user>``) holding the table; None in production."""

    @property
    def namespace(self) -> str:
        """The name the table's database is attached as: the team, or the sandbox."""
        return self.sandbox or self.team

    @property
    def name(self) -> str:
        """``team.table`` (or ``sandbox.table``), as a person reads it and as
        ``open_warehouse`` resolves it."""
        return f"{self.namespace}.{self.table}"

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


def in_sandbox(location: TableLocation, sandbox: str) -> TableLocation:
    """The same table in ``sandbox`` (``<team>__dev_<user>``)."""
    folder = location.database.parent / SANDBOX_FOLDER
    return replace(location, database=folder / f"{sandbox}{DATABASE_SUFFIX}", sandbox=sandbox)


def team_databases(root: Path) -> dict[str, Path]:
    """Every team database in the warehouse folder, by team."""
    return {path.stem: path for path in sorted(root.glob(f"*{DATABASE_SUFFIX}"))}


def sandbox_databases(root: Path, user: str | None = None) -> dict[str, Path]:
    """Every sandbox database (of ``user``, or of everyone), by sandbox name."""
    pattern = sandbox_name("*", user or "*") + DATABASE_SUFFIX
    return {path.stem: path for path in sorted((root / SANDBOX_FOLDER).glob(pattern))}


def landing_samples_folder(root: Path) -> Path:
    """Where sample mode keeps its sampled copies of landing files."""
    return root / SANDBOX_FOLDER / "landing_samples"
