"""Built-in table checks any asset can opt into with one argument, and their evaluation.

    @warehouse_asset(contract=Orders, table_checks=TableChecks(not_empty=True, max_change=3.0))

``max_change`` compares the table's row count with the count recorded by the previous
materialization made the same way (its ``dagster/row_count`` metadata): 3.0 allows a third to
three times as many.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dagster import AssetCheckSeverity, AssetKey, DagsterInstance

from platform_lib.contracts.evaluation import IN_WAREHOUSE, Outcome
from platform_lib.contracts.rules import Rule
from platform_lib.environment.run_environment import RunEnvironment, recorded_labels
from platform_lib.sql import row_count
from platform_lib.warehouse.layout import TableLocation

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb


@dataclass(frozen=True)
class TableChecks:
    """Opt-in checks on the whole table after each write (ERROR severity, so blocking)."""

    not_empty: bool = False
    min_rows: int | None = None
    max_rows: int | None = None
    max_change: float | None = None

    def __post_init__(self) -> None:
        if self.max_change is not None and not self.max_change > 1:
            raise ValueError(
                f"TableChecks(max_change={self.max_change}): the allowed factor must be above 1 "
                "(3.0 allows a third to three times the previous row count)."
            )

    def rules(self) -> list[Rule]:
        wanted = []
        if self.not_empty:
            wanted.append(("not_empty", "The table has at least one row"))
        if self.min_rows is not None or self.max_rows is not None:
            wanted.append(
                ("row_count_in_bounds", f"Row count in [{self.min_rows}, {self.max_rows}]")
            )
        if self.max_change is not None:
            wanted.append(
                (
                    "row_count_change",
                    f"Row count within {self.max_change}x of the previous materialization",
                )
            )
        return [Rule(name, text, AssetCheckSeverity.ERROR, kind=name) for name, text in wanted]

    def failure(
        self, rule_name: str, rows: int, previous_rows: int | None, scale: float = 1.0
    ) -> str | None:
        """Why ``rule_name`` fails for a table of ``rows`` rows, or None when it passes; a
        sample's row bounds are scaled by its fraction, ``scale``."""
        if rule_name == "not_empty" and rows == 0:
            return "the table is empty"
        if rule_name == "row_count_in_bounds":
            if self.min_rows is not None and rows < (least := math.floor(self.min_rows * scale)):
                return f"{rows} rows, fewer than {least}"
            if self.max_rows is not None and rows > (most := math.ceil(self.max_rows * scale)):
                return f"{rows} rows, more than {most}"
        if rule_name == "row_count_change" and previous_rows:
            ratio = rows / previous_rows
            if not 1 / self.max_change <= ratio <= self.max_change:
                return f"{rows} rows vs {previous_rows} before ({ratio:.2f}x)"
        return None


def evaluate_table_checks(
    instance: DagsterInstance,
    asset_key: AssetKey,
    connection: duckdb.DuckDBPyConnection,
    location: TableLocation,
    table_checks: TableChecks | None,
) -> list[Outcome]:
    """The outcome of each table check on the table just written, inside its transaction."""
    if table_checks is None:
        return []
    rows = row_count(connection, location.sql)
    environment = RunEnvironment.current()
    previous = _previous_row_count(instance, asset_key, environment)
    scale = environment.sampling.fraction_for(asset_key.to_user_string()) or 1.0
    outcomes = []
    for rule in table_checks.rules():
        problem = table_checks.failure(rule.name, rows, previous, scale)
        detail = problem or f"{rows} rows" + (f", {previous} before" if previous else "")
        if scale < 1 and rule.name == "row_count_in_bounds":
            detail += f" (bounds scaled to the {scale:g} sample)"
        outcomes.append(Outcome(rule, problem is None, IN_WAREHOUSE, detail=detail))
    return outcomes


def _previous_row_count(
    instance: DagsterInstance, asset_key: AssetKey, environment: RunEnvironment, looked_at: int = 50
) -> int | None:
    """The row count of the latest materialization made the same way (environment and
    sample), among the last ``looked_at``: a sample's size says nothing about a full
    table's, and a dev run must not become production's baseline."""
    records = instance.fetch_materializations(asset_key, limit=looked_at)
    for record in records.records:
        metadata = record.asset_materialization.metadata
        # the table's rows; recorded as table_row_count before dagster/row_count meant them
        recorded = metadata.get("table_row_count") or metadata.get("dagster/row_count")
        if recorded is not None and recorded_labels(metadata) == environment.labels():
            return int(recorded.value)
    return None
