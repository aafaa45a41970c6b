"""Built-in table checks any asset can opt into with one argument.

    @warehouse_asset(contract=Orders, table_checks=TableChecks(not_empty=True, max_change=3.0))

``max_change`` compares the table's row count with the count recorded by the previous
materialization (its ``table_row_count`` metadata): 3.0 allows a third to three times as many.
"""

import math
from dataclasses import dataclass

from dagster import AssetCheckSeverity

from platform_lib.contract_rules import Rule


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
