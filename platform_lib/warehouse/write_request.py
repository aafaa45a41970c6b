"""WriteRequest: what storing one asset's frame needs, with no Dagster context in it.

Each caller builds one from what it has: the IO manager from an ``OutputContext``,
``warehouse_asset`` from its execution context and its contract. The warehouse then writes
without asking which kind of context it was given.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from dagster import AssetKey

from platform_lib.errors import WarehouseError
from platform_lib.warehouse.layout import TableLocation
from platform_lib.warehouse.partitions import PartitionSlice
from platform_lib.warehouse.writes import BeforeCommit


@dataclass(frozen=True, eq=False)  # a frame has no value equality
class WriteRequest:
    """Store ``frame`` as the table of ``asset_key``, for run ``run_id``."""

    asset_key: AssetKey
    frame: pd.DataFrame
    run_id: str
    partitions: PartitionSlice | None = None
    """The partitions the frame replaces; None replaces the whole table."""
    sample_by: str | None = None
    """The key column sample mode samples the table by (``@warehouse_asset(sample_by=...)``)."""
    descriptions: Mapping[str, str] = field(default_factory=dict)
    """Column descriptions for the materialization's column schema (from the contract)."""
    before_commit: BeforeCommit | None = None
    """Sees the written table inside the transaction; False keeps the previous contents."""
    reads: Mapping[str, list[str]] = field(default_factory=dict)
    """The columns the asset reads of other teams' assets (``consumers.declared_reads``)."""
    breaking_change_intended: frozenset[str] = frozenset()
    """Columns the asset drops or retypes on purpose, though other teams read them."""

    @property
    def label(self) -> str:
        """The asset as a person names it: ``team/name``."""
        return self.asset_key.to_user_string()

    def refuse_unwritable(self, location: TableLocation, team: str | None) -> None:
        """Refuse, before anything is opened, a request no table can take: not a DataFrame, a
        column named twice, another ``team``'s table, a ``sample_by`` column it lacks."""
        label, frame = self.label, self.frame
        if not isinstance(frame, pd.DataFrame):
            raise WarehouseError(
                f"Asset {label} returned {type(frame).__name__}; the warehouse stores pandas "
                "DataFrames. Return a DataFrame from the asset function."
            )
        repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        if repeated:
            raise WarehouseError(
                f"Asset {label} returned a frame with column(s) {repeated} more than once; a "
                "table's columns must have distinct names. Rename or drop the duplicates."
            )
        if team is not None and location.team != team:
            raise WarehouseError(
                f"Team {team!r} may not write {label}: the table {location.name} belongs "
                f"to team {location.team!r}. A team writes only its own assets."
            )
        if self.sample_by is not None and self.sample_by not in frame.columns:
            raise WarehouseError(
                f"Asset {label} declares sample_by={self.sample_by!r}, but its frame has no such "
                f"column (it has {sorted(map(str, frame.columns))}). Name one of its columns."
            )
