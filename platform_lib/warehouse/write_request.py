"""WriteRequest: what storing one asset's frame needs, with no Dagster context in it.

Each caller builds one from what it has: the IO manager from an ``OutputContext``,
``warehouse_asset`` from its execution context and its contract. The warehouse then writes
without asking which kind of context it was given.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from dagster import AssetKey

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
