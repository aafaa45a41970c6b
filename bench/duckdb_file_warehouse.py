"""The warehouse as it was before the lake, kept runnable as a benchmark baseline.

Until issue 17, each team's tables lived in one DuckDB file, ``<warehouse>/<team>.duckdb``
(``git show main:platform_lib/warehouse/connection.py``): a process kept one in-memory DuckDB
instance, each unit of work attached the team's file, worked and detached it, and every
write was one transaction of that file. ``DuckDBFileWarehouse`` stores tables that way and
otherwise does what the lake's IO manager does on a production run: the same transactional
write (``writes.write_frame``, with the contract checks before commit), the same reads, the
same materialization metadata bar the lake's version and its files' size (the file's size
instead). No sandboxes, sample mode, signatures or commit retries: a production run of one
process is all it serves.
"""

import itertools
import os
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from dagster import InputContext, MetadataValue, TableColumn, TableSchema

from platform_lib import WarehouseIOManager
from platform_lib.sql import column_types, quote_identifier, quote_literal, row_count
from platform_lib.warehouse.connection import default_connection
from platform_lib.warehouse.frames import Returned
from platform_lib.warehouse.kinds import Kind, kind_to_load
from platform_lib.warehouse.layout import table_for
from platform_lib.warehouse.partitions import partition_slice
from platform_lib.warehouse.reads import select_rows
from platform_lib.warehouse.write_request import WriteRequest
from platform_lib.warehouse.writes import write_frame

_instance = None
_aliases = itertools.count()


class DuckDBFileWarehouse(WarehouseIOManager):
    """Each team's tables in ``<directory>/<team>.duckdb``, one transaction per write."""

    def store(self, request: WriteRequest, log) -> dict | None:
        location = table_for(request.asset_key, self._root())
        with team_file(self._root(), location.team, read_only=False) as connection:
            # any kind: a relation of another instance (a lazy asset's) arrives as a stream
            Returned.of(request.frame).register(
                connection, scans=1 if request.partitions is None else 2
            )
            committed = write_frame(
                connection, location, request.partitions, request.label, request.before_commit
            )
            if not committed:
                return None
            described = column_types(connection, location.sql)
            rows = row_count(connection, location.sql)
            preview = connection.sql(f"SELECT * FROM {location.sql} LIMIT 5").df()
        return {
            "dagster/row_count": rows,
            "dagster/table_name": location.name,
            "dagster/column_schema": TableSchema(
                columns=[
                    TableColumn(name=name, type=kind, description=request.descriptions.get(name))
                    for name, kind in described.items()
                ]
            ),
            "table_row_count": rows,
            "team_database_bytes": MetadataValue.int(self._file(location.team).stat().st_size),
            "preview": MetadataValue.md(preview.to_markdown(index=False)),
        }

    def load_input(self, context: InputContext) -> Any:
        """The input as its annotation's kind; a lazy kind is fetched here (as Arrow, then
        a relation of DuckDB's default connection or a LazyFrame over it): the team's file
        is detached once the read ends, so nothing can stay a query over it."""
        label = context.asset_key.to_user_string()
        location = table_for(context.asset_key, self._root())
        columns = list((context.definition_metadata or {}).get("columns") or []) or None
        partitions = partition_slice(context, label)
        conditions = [partitions.predicate] if partitions is not None else []
        kind = kind_to_load(context.dagster_type.typing_type if context.dagster_type else None)
        fetched = Kind.ARROW if kind.lazy else kind
        with team_file(self._root(), location.team, read_only=True) as connection:
            rows = select_rows(connection, location, columns, conditions, label, fetched)
        if kind is Kind.RELATION:
            return default_connection().from_arrow(rows)
        if kind is Kind.POLARS_LAZY:
            import polars

            return polars.from_arrow(rows).lazy()
        return rows

    def _file(self, team: str) -> Path:
        return self._root() / f"{team}.duckdb"


@contextmanager
def team_file(root: Path, team: str, *, read_only: bool):
    """A cursor of this process's DuckDB instance working in the team's file (attached and
    ``USE``d), detached afterwards."""
    global _instance
    import duckdb

    if _instance is None or _instance[0] != os.getpid():
        _instance = (os.getpid(), duckdb.connect())
    root.mkdir(parents=True, exist_ok=True)
    connection = _instance[1].cursor()
    alias = quote_identifier(f"baseline_{next(_aliases)}")
    mode = " (READ_ONLY)" if read_only else ""
    connection.execute(f"ATTACH {quote_literal(str(root / f'{team}.duckdb'))} AS {alias}{mode}")
    connection.execute(f"USE {alias}")
    try:
        yield connection
    finally:
        with suppress(duckdb.Error):
            connection.execute("ROLLBACK")
        connection.execute("USE memory")
        connection.execute(f"DETACH {alias}")
        connection.close()
