"""Writing one asset's frame into its table, all or nothing.

Every write is one transaction of the team's lake, and so one snapshot: a failure at any
point (bad type, exception, killed process) or a veto creates no snapshot, and the table
reads as it did. Nothing temporary is left behind.

- Unpartitioned, or every partition at once: the frame replaces the table, whatever its
  columns and types.
- Some partitions: the rows of those partitions are replaced. New columns are added (older
  partitions read NULL); a dropped or retyped column is refused, because the other
  partitions still hold it. An empty frame just empties its partitions.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING

from platform_lib.errors import WarehouseError
from platform_lib.sql import (
    column_types,
    null_columns,
    quote_identifier,
    quote_literal,
    table_exists,
)
from platform_lib.warehouse.frames import FRAME
from platform_lib.warehouse.layout import TableLocation
from platform_lib.warehouse.partitions import PartitionSlice
from platform_lib.warehouse.schema_changes import SchemaChange

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

BeforeCommit = Callable[["duckdb.DuckDBPyConnection", TableLocation], bool]
OnSchemaChange = Callable[[SchemaChange], None]


def write_frame(
    connection: duckdb.DuckDBPyConnection,
    location: TableLocation,
    partitions: PartitionSlice | None,
    asset_label: str,
    before_commit: BeforeCommit | None = None,
    on_schema_change: OnSchemaChange | None = None,
) -> bool:
    """Write the frame registered as ``tailor_frame`` (``frames.Returned.register``) into
    ``location`` in one transaction.

    ``on_schema_change`` then hears how the table's columns changed (it may raise to refuse
    the write); ``before_commit`` sees the written table inside the transaction and decides:
    True commits, False rolls back so the previous contents stay current. Returns whether it
    committed.
    """

    def change() -> None:
        replaces_table = partitions is None or partitions.covers_all
        exists = table_exists(connection, location.table)
        previous = column_types(connection, location.sql) if exists else None
        if replaces_table or not exists:
            if partitions is not None:
                _refuse_rows_outside(connection, partitions, asset_label)
            connection.execute(f"CREATE OR REPLACE TABLE {location.sql} AS SELECT * FROM {FRAME}")
        else:
            _replace_partitions(connection, location, partitions, asset_label)
        if on_schema_change is not None:
            on_schema_change(SchemaChange(previous, column_types(connection, location.sql)))

    return change_table(connection, location, change, before_commit)


def change_table(
    connection: duckdb.DuckDBPyConnection,
    location: TableLocation,
    change: Callable[[], None],
    before_commit: BeforeCommit | None = None,
) -> bool:
    """Run ``change`` (statements changing ``location``'s table) in one transaction that
    ``before_commit`` may veto (False rolls it back); returns whether it committed. Any
    failure rolls back: the table reads as before."""
    connection.execute("BEGIN TRANSACTION")
    try:
        change()
        if before_commit is not None and not before_commit(connection, location):
            connection.execute("ROLLBACK")
            return False
        connection.execute("COMMIT")
        return True
    except BaseException:
        rollback(connection)
        raise


def rollback(connection: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if any: a refused ``COMMIT`` has already ended it."""
    import duckdb

    with suppress(duckdb.TransactionException):
        connection.execute("ROLLBACK")


def last_version(connection: duckdb.DuckDBPyConnection) -> int:
    """The snapshot this connection's latest commit made in its lake: the written version."""
    lake = connection.execute("SELECT current_database()").fetchall()[0][0]
    query = f"SELECT * FROM ducklake_last_committed_snapshot({quote_literal(lake)})"
    return connection.execute(query).fetchall()[0][0]


def _replace_partitions(
    connection: duckdb.DuckDBPyConnection,
    location: TableLocation,
    partitions: PartitionSlice,
    asset_label: str,
) -> None:
    predicate, parameters = partitions.predicate
    if not connection.execute(f"SELECT 1 FROM {FRAME} LIMIT 1").fetchall():
        connection.execute(f"DELETE FROM {location.sql} WHERE {predicate}", parameters)
        return  # an empty partition has no columns to reconcile
    stored = column_types(connection, location.sql)
    incoming = column_types(connection, FRAME)
    empty = null_columns(connection, FRAME)  # compatible with any stored type
    dropped = [name for name in stored if name not in incoming]
    retyped = [
        f"{name} ({stored[name]} -> {kind})"
        for name, kind in incoming.items()
        if name in stored and name not in empty and kind != stored[name]
    ]
    if dropped or retyped:
        changes = "; ".join(
            part
            for part in (
                f"dropped: {', '.join(dropped)}" if dropped else "",
                f"retyped: {', '.join(retyped)}" if retyped else "",
            )
            if part
        )
        raise WarehouseError(
            f"Asset {asset_label} cannot write partition(s) {partitions.describe()}: its columns "
            f"no longer match the table {location.name} ({changes}), and the table's other "
            "partitions still hold the old columns. Nothing was written. To change the "
            f"table's shape, rebuild it: materialize all partitions of {asset_label} in one run "
            "(Materialize > all partitions), which replaces the whole table."
        )
    _refuse_rows_outside(connection, partitions, asset_label)
    for name, kind in incoming.items():
        if name not in stored:
            column_type = "VARCHAR" if name in empty else kind
            connection.execute(
                f"ALTER TABLE {location.sql} ADD COLUMN {quote_identifier(name)} {column_type}"
            )
    connection.execute(f"DELETE FROM {location.sql} WHERE {predicate}", parameters)
    connection.execute(f"INSERT INTO {location.sql} BY NAME SELECT * FROM {FRAME}")


def _refuse_rows_outside(
    connection: duckdb.DuckDBPyConnection, partitions: PartitionSlice, asset_label: str
) -> None:
    import duckdb

    predicate, parameters = partitions.predicate
    try:
        outside = connection.execute(
            f"SELECT count(*) FROM {FRAME} WHERE NOT {predicate}", parameters
        ).fetchall()[0][0]
    except duckdb.BinderException as error:
        raise WarehouseError(
            f"Asset {asset_label}: its partition_expr ({partitions.expressions()}) does not work "
            f"on the frame's columns: {error}. Set partition_expr to the partition's column."
        ) from error
    if outside:
        raise WarehouseError(
            f"Asset {asset_label} returned {outside} row(s) outside partition(s) "
            f"{partitions.describe()} (by {partitions.expressions()})."
            " A partition's run must return only that partition's rows; filter the frame."
        )
