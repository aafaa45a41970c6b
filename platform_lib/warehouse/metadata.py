"""What a materialization records about its table, for the asset's page in the UI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd
from dagster import MetadataValue, TableColumn, TableSchema

from platform_lib.sql import column_types, row_count
from platform_lib.warehouse.layout import TableLocation

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

PREVIEW_ROWS = 5


def materialization_metadata(
    connection: duckdb.DuckDBPyConnection,
    frame_relation: str,
    frame: pd.DataFrame,
    location: TableLocation,
    descriptions: Mapping[str, str] | None = None,
) -> dict:
    """Row count, table name, stored column types (described from the contract, when there
    is one) and a preview, read inside the write's connection."""
    return {
        "dagster/row_count": len(frame),
        "dagster/table_name": location.name,
        "dagster/column_schema": TableSchema(
            columns=[
                TableColumn(name=name, type=kind, description=(descriptions or {}).get(name))
                for name, kind in column_types(connection, frame_relation).items()
            ]
        ),
        "table_row_count": row_count(connection, location.sql),
        "preview": MetadataValue.md(_markdown_preview(frame)),
    }


def _markdown_preview(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "_(no rows)_"
    return frame.head(PREVIEW_ROWS).to_markdown(index=False)


def database_size(location: TableLocation) -> dict:
    """The team database's size on disk; read after the connection closed, since DuckDB
    moves a write from its log into the file when the last connection closes."""
    return {"team_database_bytes": MetadataValue.int(location.database.stat().st_size)}
