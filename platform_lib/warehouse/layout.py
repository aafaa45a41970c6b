"""Where each asset's table lives: one DuckLake lake per team, one table per asset.

The asset ``[team, name]`` is the table ``name`` of the team's lake. Embedded, its catalog
is ``<warehouse>/<team>.sqlite`` and its Parquet files are in ``<warehouse>/<team>/``
(``file_lake``); when the lake is shared (``TAILOR_LAKE_DATA``), its catalog is the team's
schema in PostgreSQL, owned by the team's role (``shared_lake``). A lake per team keeps each
team's history (its snapshots) its own. Attached together (see ``notebook.open_warehouse``)
every table reads as ``team.name``.

A person's sandbox of a team is a lake of its own too,
``<warehouse>/sandboxes/<team>__dev_<user>.sqlite``, read as ``<team>__dev_<user>.name``:
dev runs never write production's lake. Sandboxes are always files on the person's machine.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from dagster import AssetKey

from platform_lib.environment.sandbox_naming import sandbox_name
from platform_lib.errors import WarehouseError
from platform_lib.sql import quote_identifier
from platform_lib.warehouse.file_lake import FileLake
from platform_lib.warehouse.lake import Lake
from platform_lib.warehouse.shared_lake import LakeServer, SharedLake

CATALOG_SUFFIX = ".sqlite"
SANDBOX_FOLDER = "sandboxes"
LAKE_SCHEMA = "main"
"""The schema of every table in its lake (DuckLake's default): the team is the lake."""
SCHEMA = "schema"
"""The setting stock Dagster IO managers read a table's schema from; Tailor refuses it."""


@dataclass(frozen=True)
class TableLocation:
    """The warehouse table of one asset."""

    team: str
    table: str
    lake: Lake
    """The lake that holds the table: the team's, or the sandbox's."""
    warehouse: Path
    """The local warehouse folder (where sandboxes are)."""
    sandbox: str | None = None
    """The sandbox (``<team>__dev_<user>``) holding the table; None in production."""
    version: int | None = None
    """The version of the lake a read of the past reads (``warehouse.past``); None: the
    latest."""

    @property
    def namespace(self) -> str:
        """The name the table's lake is attached as: the team, or the sandbox."""
        return self.sandbox or self.team

    @property
    def name(self) -> str:
        """``team.table`` (or ``sandbox.table``), as a person reads it and as
        ``open_warehouse`` resolves it."""
        return f"{self.namespace}.{self.table}"

    @property
    def qualified_name(self) -> str:
        """``lake.schema.table`` (``merchandising.main.inventory``): unique across lakes and
        resolvable as written where the lakes are attached by name (``open_warehouse``)."""
        return f"{self.namespace}.{LAKE_SCHEMA}.{self.table}"

    @property
    def sql(self) -> str:
        """The table's quoted name inside its own lake."""
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
    return TableLocation(team=team, table=table, lake=lake_of(team, root), warehouse=root)


def lake_of(team: str, root: Path) -> Lake:
    """``team``'s production lake: shared when ``TAILOR_LAKE_DATA`` is set, else the file
    lake in the warehouse folder ``root``."""
    server = LakeServer.from_env()
    return SharedLake(team, server) if server else FileLake(root / f"{team}{CATALOG_SUFFIX}")


def schema_refusal(owner: str, schema: object, team: str | None) -> str:
    """Why ``owner`` (an asset, or the IO manager) may not set a table's schema."""
    where = f"{team}.<asset>" if team else "<team>.<asset>"
    return (
        f"{owner} sets schema {schema!r}, but the team is the schema: asset [team, name] is "
        f"the table name of its team's lake ({where}). Remove the schema setting; to store "
        "the table under another team, define the asset in that team's code location."
    )


def in_sandbox(location: TableLocation, sandbox: str) -> TableLocation:
    """The same table in ``sandbox`` (``<team>__dev_<user>``)."""
    lake = FileLake(location.warehouse / SANDBOX_FOLDER / f"{sandbox}{CATALOG_SUFFIX}")
    return replace(location, lake=lake, sandbox=sandbox)


def team_lakes(root: Path) -> dict[str, Lake]:
    """Every team's production lake, by team: the shared lake's, or the warehouse folder's."""
    server = LakeServer.from_env()
    if server:
        return {team: SharedLake(team, server) for team in server.teams()}
    return {path.stem: FileLake(path) for path in sorted(root.glob(f"*{CATALOG_SUFFIX}"))}


def sandbox_lakes(root: Path, user: str | None = None) -> dict[str, FileLake]:
    """Every sandbox's lake (of ``user``, or of everyone), by sandbox name."""
    pattern = sandbox_name("*", user or "*") + CATALOG_SUFFIX
    return {p.stem: FileLake(p) for p in sorted((root / SANDBOX_FOLDER).glob(pattern))}


def landing_samples_folder(root: Path) -> Path:
    """Where sample mode keeps its sampled copies of landing files."""
    return root / SANDBOX_FOLDER / "landing_samples"


def not_an_asset(what: str) -> WarehouseError:
    """The error for an op's output or input given to the warehouse: it stores assets only."""
    return WarehouseError(
        f"{what} is not an asset: the warehouse stores assets, each as the table of its "
        "[team, asset] key. Make it an @asset of a team (team_definitions stores it as "
        "<team>.<asset>), or give it another IO manager (Out(io_manager_key=...) or "
        "In(input_manager_key=...))."
    )
