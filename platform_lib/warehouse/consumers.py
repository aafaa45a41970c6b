"""Columns other teams read from a table, and the refusal of a write that breaks them.

A consumer names what it reads of another team's asset on its input::

    AssetIn(key=["merchandising", "inventory"], metadata={"columns": ["sku", "on_hand"]})

``tailor check`` compares those reads with the producer's contract in CI. In production the
lakes themselves carry them: each write of the consumer's table signs its snapshot with the
columns it reads (``records.WriteInfo.reads``), so every team's lake says which columns of
which other team's asset its tables read, as of their latest write. A producer's run never
loads another team's code: when its write drops or retypes columns, it reads the other
teams' lakes read-only and refuses the write if a consumer reads one of them, naming the
consumer, unless the producing asset marks the change as intended::

    @warehouse_asset(metadata={"tailor/breaking_change_intended": ["on_hand"]})

The lakes are looked up only for a write that drops or retypes a column; every other write
costs nothing here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from dagster import AssetsDefinition

from platform_lib.errors import WarehouseError
from platform_lib.warehouse.connection import connect_lakes
from platform_lib.warehouse.layout import team_lakes
from platform_lib.warehouse.records import table_records
from platform_lib.warehouse.schema_changes import SchemaChange

BREAKING_CHANGE_INTENDED = "tailor/breaking_change_intended"
"""Asset metadata: the columns whose drop or retype its consumers are expected to follow."""


def declared_reads(assets: AssetsDefinition | None) -> dict[str, list[str]]:
    """``{upstream asset: columns}`` that ``assets`` reads from other teams' assets, as its
    inputs declare them (``AssetIn(metadata={"columns": [...]})``)."""
    if assets is None:
        return {}
    own_teams = {key.path[0] for key in assets.keys}
    reads = {}
    for input_name, upstream in assets.node_keys_by_input_name.items():
        if upstream.path[0] in own_teams:
            continue
        wanted = assets.node_def.input_def_named(input_name).metadata.get("columns")
        if wanted:
            reads[upstream.to_user_string()] = sorted(map(str, wanted))
    return reads


def intended_breaks(metadata: Mapping | None, asset_label: str) -> frozenset[str]:
    """The columns the asset's metadata says it drops or retypes on purpose."""
    columns = (metadata or {}).get(BREAKING_CHANGE_INTENDED) or []
    if isinstance(columns, str) or not all(isinstance(column, str) for column in columns):
        raise WarehouseError(
            f"Asset {asset_label}: metadata {BREAKING_CHANGE_INTENDED!r} must be a list of "
            f'column names, e.g. {{"{BREAKING_CHANGE_INTENDED}": ["on_hand"]}}.'
        )
    return frozenset(columns)


def refuse_breaking_change(
    change: SchemaChange,
    asset_label: str,
    root: Path,
    intended: Collection[str] = (),
) -> None:
    """Raise ``WarehouseError`` when ``change`` drops or retypes a column that an asset of
    another team reads (per the production lakes under ``root``), unless it is ``intended``."""
    broken = [column for column in change.broken if column not in intended]
    if not broken:
        return
    readers = _readers(asset_label, root)
    hits = [
        (consumer, column)
        for consumer, columns in sorted(readers.items())
        for column in broken
        if column in columns
    ]
    if not hits:
        return
    read = "; ".join(f"{consumer} reads {column!r}" for consumer, column in hits)
    columns = sorted({column for _, column in hits})
    raise WarehouseError(
        f"Asset {asset_label} drops or retypes columns other teams read: {read}. "
        f"Nothing was written. Agree the change with those teams, then mark it as intended on "
        f'the asset: metadata={{"{BREAKING_CHANGE_INTENDED}": {columns!r}}}.'
    )


def _readers(asset_label: str, root: Path) -> dict[str, set[str]]:
    """``{consumer asset: columns}`` of ``asset_label`` read by other teams' tables."""
    producer = asset_label.split("/", 1)[0]
    lakes = {team: catalog for team, catalog in team_lakes(root).items() if team != producer}
    if not lakes:
        return {}
    readers = {}
    connection = connect_lakes(lakes)
    try:
        for team in lakes:
            for table, record in table_records(connection, database=team).items():
                columns = (record.reads or {}).get(asset_label)
                if columns:
                    readers[f"{team}/{table}"] = set(columns)
    finally:
        connection.close()
    return readers
