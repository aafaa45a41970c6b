"""An asset's contract as one thing: its rules, its table checks and its columns'
descriptions, evaluated on its table inside the transaction that changes it.

A write (``warehouse_asset``) evaluates it on the table just written from the frame; a
restore (the team's ``<team>_restore`` job) on the table just brought back, so an earlier
version that breaks today's contract is refused as a bad frame would be. ``warehouse_asset``
leaves the contract on the asset's compute function, where ``contract_of`` finds it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from dagster import AssetCheckSeverity, AssetKey, AssetsDefinition, DagsterInstance

from platform_lib.contracts.evaluation import Outcome, evaluate_in_warehouse, evaluate_on_frame
from platform_lib.contracts.rules import Rule
from platform_lib.contracts.table_checks import TableChecks, evaluate_table_checks
from platform_lib.sql import column_types, quote_identifier
from platform_lib.warehouse.layout import TableLocation

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

_ATTRIBUTE = "tailor_contract"


@dataclass(frozen=True)
class AssetContract:
    """What an asset's table must satisfy before a change of it commits."""

    rules: list[Rule] = field(default_factory=list)
    table_checks: TableChecks | None = None
    descriptions: Mapping[str, str] = field(default_factory=dict)
    """Column descriptions, for the materialization's column schema."""

    def evaluate(
        self,
        connection: duckdb.DuckDBPyConnection,
        location: TableLocation,
        asset_key: AssetKey,
        instance: DagsterInstance,
        frame: pd.DataFrame | None,
        on_frame: list[Outcome],
    ) -> list[Outcome]:
        """Every outcome on the changed table: ``on_frame`` (pandera's, on ``frame``),
        then the rules SQL checks in the warehouse and the table checks."""
        return [
            *on_frame,
            *evaluate_in_warehouse(connection, location.sql, self.rules, frame),
            *evaluate_table_checks(instance, asset_key, connection, location, self.table_checks),
        ]

    def evaluate_table(
        self,
        connection: duckdb.DuckDBPyConnection,
        location: TableLocation,
        asset_key: AssetKey,
        instance: DagsterInstance,
    ) -> list[Outcome]:
        """``evaluate`` for a table made without a pandas frame (any other kind an asset
        returns, or a restore): the rules only pandera can check read just the columns they
        need into one (``frame_for_rules``)."""
        frame = frame_for_rules(connection, location.sql, self.rules)
        on_frame = evaluate_on_frame(frame, self.rules) if frame is not None else []
        return self.evaluate(connection, location, asset_key, instance, frame, on_frame)

    def attach_to(self, compute: Callable) -> None:
        setattr(compute, _ATTRIBUTE, self)


def frame_for_rules(
    connection: duckdb.DuckDBPyConnection, table: str, rules: list[Rule]
) -> pd.DataFrame | None:
    """The part of ``table`` the rules only pandera can check need, as pandas: a column
    rule's column, the whole table for a dataframe or index rule; None when no such rule
    has a column to read."""
    on_frame = [rule for rule in rules if not rule.runs_in_warehouse]
    stored = list(column_types(connection, table))
    if any(rule.column is None for rule in on_frame):
        needed = stored
    else:
        needed = [name for name in stored if name in {rule.column for rule in on_frame}]
    if not needed:
        return None
    selected = ", ".join(quote_identifier(name) for name in needed)
    return connection.execute(f"SELECT {selected} FROM {table}").df()


def contract_of(asset: AssetsDefinition) -> AssetContract:
    """The contract ``warehouse_asset`` gave ``asset``; an empty one for a plain ``@asset``."""
    compute = getattr(asset.op.compute_fn, "decorated_fn", None)
    return getattr(compute, _ATTRIBUTE, None) or AssetContract()


def blocking_failures(outcomes: list[Outcome]) -> list[Outcome]:
    """The failed outcomes of ERROR rules: any of them keeps the table unchanged."""
    return [o for o in outcomes if not o.passed and o.rule.severity == AssetCheckSeverity.ERROR]
