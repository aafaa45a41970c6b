"""What a materialization records about its table, for the asset's page in the UI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd
from dagster import MetadataValue, TableColumn, TableSchema
from dagster._core.definitions.metadata import TableMetadataSet

from platform_lib.sql import column_types, quote_literal, row_count
from platform_lib.warehouse.layout import TableLocation
from platform_lib.warehouse.partitions import PartitionSlice

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

PREVIEW_ROWS = 5
VERSION = "tailor/version"
"""The metadata key of the table version (lake snapshot) a materialization wrote."""


def materialization_metadata(
    connection: duckdb.DuckDBPyConnection,
    location: TableLocation,
    version: int,
    descriptions: Mapping[str, str] | None = None,
    *,
    partitions: PartitionSlice | None = None,
) -> dict:
    """Dagster's table metadata (the table's rows after the write, the rows of a partitioned
    asset's ``partitions`` written, the table's fully qualified name), the version written
    (the lake's snapshot), stored column types (described from the contract, when there is
    one), the table's size and a preview of the rows written, all read from the table in the
    write's connection after its commit: whatever kind the asset returned, and however big."""
    predicate, parameters = partitions.predicate if partitions is not None else ("TRUE", [])
    written = f"SELECT * FROM {location.sql} WHERE {predicate}"
    table = TableMetadataSet(
        row_count=row_count(connection, location.sql),
        partition_row_count=(
            connection.execute(f"SELECT count(*) FROM ({written})", parameters).fetchone()[0]
            if partitions is not None
            else None
        ),
        table_name=location.qualified_name,
    )
    preview = connection.execute(f"{written} LIMIT {PREVIEW_ROWS}", parameters).df()
    return {
        VERSION: MetadataValue.int(version),
        **table,
        "dagster/column_schema": TableSchema(
            columns=[
                TableColumn(name=name, type=kind, description=(descriptions or {}).get(name))
                for name, kind in column_types(connection, location.sql).items()
            ]
        ),
        "table_bytes": MetadataValue.int(_table_bytes(connection, location)),
        "preview": MetadataValue.md(_markdown_preview(preview)),
    }


def _table_bytes(connection: duckdb.DuckDBPyConnection, location: TableLocation) -> int:
    """The size of the table's current data files (0 while its rows are inlined in the
    catalog)."""
    lake = connection.execute("SELECT current_database()").fetchall()[0][0]
    rows = connection.execute(
        f"SELECT file_size_bytes FROM ducklake_table_info({quote_literal(lake)}) "
        "WHERE table_name = ?",
        [location.table],
    ).fetchall()
    return int(rows[0][0] or 0) if rows else 0


def _markdown_preview(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "_(no rows)_"
    return frame.head(PREVIEW_ROWS).to_markdown(index=False)
