"""WriteRequest: what storing one asset's result needs, with no Dagster context in it.

Each caller builds one from what it has: the IO manager from an ``OutputContext``,
``warehouse_asset`` from its execution context and its contract. The warehouse then writes
without asking which kind of context it was given.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dagster import AssetKey

from platform_lib.errors import WarehouseError
from platform_lib.warehouse.frames import Returned
from platform_lib.warehouse.kinds import columns_of, supported
from platform_lib.warehouse.layout import TableLocation
from platform_lib.warehouse.partitions import PartitionSlice
from platform_lib.warehouse.writes import BeforeCommit


@dataclass(frozen=True, eq=False)  # a frame has no value equality
class WriteRequest:
    """Store ``frame`` (any kind of ``kinds.Kind``) as the table of ``asset_key``, for run
    ``run_id``."""

    asset_key: AssetKey
    frame: Any
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

    def refuse_unwritable(self, location: TableLocation, team: str | None) -> Returned:
        """Refuse, before anything is opened, a request no table can take: not a kind of
        table, a column named twice, another ``team``'s table, a ``sample_by`` column it
        lacks. Returns the frame, known by its kind."""
        label, frame = self.label, self.frame
        returned = Returned.of(frame)
        if returned is None:
            kind = type(frame)
            name = (
                kind.__qualname__
                if kind.__module__ == "builtins"
                else f"{kind.__module__}.{kind.__qualname__}"
            )
            raise WarehouseError(
                f"Asset {label} returned {name}; "
                f"the warehouse stores a {supported()}. Return one of them from the asset "
                "function."
            )
        names = columns_of(frame, returned.kind)
        repeated = sorted({str(name) for name in names if names.count(name) > 1})
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
        if self.sample_by is not None and self.sample_by not in names:
            raise WarehouseError(
                f"Asset {label} declares sample_by={self.sample_by!r}, but its frame has no such "
                f"column (it has {sorted(map(str, names))}). Name one of its columns."
            )
        return returned
