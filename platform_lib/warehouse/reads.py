"""Reading a warehouse table: its columns in the rows meeting every condition (a partition
slice, a sample), whether it holds any such rows, and how many keys a sample kept."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pandas as pd

from platform_lib.errors import WarehouseError
from platform_lib.sql import quote_identifier
from platform_lib.warehouse.kinds import Kind, load_as
from platform_lib.warehouse.layout import TableLocation
from platform_lib.warehouse.partitions import PartitionSlice

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

_DATA_FILE = re.compile(r"""file ['"](?P<file>[^'"]+\.parquet)['"]""", re.IGNORECASE)
"""A Parquet file named in DuckDB's error ("Cannot open file "..."", "for file '...'")."""


def select_rows(
    connection: duckdb.DuckDBPyConnection,
    location: TableLocation,
    columns: list[str] | None,
    conditions: list[tuple[str, list]],
    label: str,
    kind: Kind = Kind.PANDAS,
) -> Any:
    """The table's ``columns`` (all by default) in the rows meeting every condition, fetched
    as an eager ``kind`` (a pandas DataFrame by default)."""
    with table_read(location, columns, label):
        return load_as(query_rows(connection, location, selection(columns), conditions), kind)


@contextmanager
def table_read(location: TableLocation, columns: list[str] | None, label: str) -> Iterator[None]:
    """Inside: a read of ``columns`` of asset ``label``'s table; a table that does not exist
    raises ``NoTable``, columns it lacks and damaged files a ``WarehouseError`` saying why."""
    import duckdb

    try:
        with damage_named(location):  # a file may fail only as rows are fetched
            yield
    except duckdb.CatalogException as error:
        raise NoTable from error
    except duckdb.BinderException as error:
        raise WarehouseError(
            f"Reading columns {columns} of {label} from {location.name} failed: "
            f"{error}. The owning team ({location.team!r}) may have dropped or renamed "
            "a column you consume; ask them, or update the columns you read."
        ) from error


def selection(columns: list[str] | None) -> str:
    """The SELECT list of ``columns``; every column when None."""
    return ", ".join(quote_identifier(c) for c in columns) if columns else "*"


def query_rows(
    connection: duckdb.DuckDBPyConnection,
    location: TableLocation,
    selected: str,
    conditions: list[tuple[str, list]],
) -> duckdb.DuckDBPyConnection:
    """``SELECT selected`` from the table in the rows meeting every condition, executed."""
    query, parameters = rows_query(location.sql, selected, conditions)
    with damage_named(location):
        return connection.execute(query, parameters)


def rows_query(table: str, selected: str, conditions: list[tuple[str, list]]) -> tuple[str, list]:
    """``SELECT selected FROM table`` in the rows meeting every condition, and its
    parameters."""
    where = " AND ".join(condition for condition, _ in conditions)
    parameters = [value for _, values in conditions for value in values]
    return f"SELECT {selected} FROM {table}" + (f" WHERE {where}" if where else ""), parameters


def holds_rows(
    connection: duckdb.DuckDBPyConnection, location: TableLocation, partitions: PartitionSlice
) -> bool:
    predicate, parameters = partitions.predicate
    query = f"SELECT 1 FROM {location.sql} WHERE {predicate} LIMIT 1"
    with damage_named(location):
        return bool(connection.execute(query, parameters).fetchall())


@contextmanager
def damage_named(location: TableLocation) -> Iterator[None]:
    """Inside: a read that fails on a missing or damaged data file of the table's lake is a
    ``WarehouseError`` naming the file, the table, the asset and the way back."""
    import duckdb

    try:
        yield
    except (duckdb.IOException, duckdb.InvalidInputException) as error:
        refused = location.lake.refusal(error) if isinstance(error, duckdb.HTTPException) else None
        if refused is not None:  # the object store holding the files refused the request
            raise refused from error
        match = _DATA_FILE.search(str(error))
        if match is None:
            raise
        file = match.group("file")
        state = "missing" if not os.path.exists(file) else "damaged (not readable as Parquet)"
        asset = f"{location.team}/{location.table}"
        way_back = (
            f"re-materialize {asset} in a dev run, or drop the sandbox (tailor sandbox drop)"
            if location.sandbox
            else f"bring back a version whose files are intact with `tailor table restore {asset} "
            f"--to VERSION` (`tailor table history {asset}` lists them), or re-materialize it"
        )
        raise WarehouseError(
            f"Reading asset {asset} (table {location.name}) failed: its data file {file} is "
            f"{state}. DuckDB says: {str(error).splitlines()[0]}. To fix: {way_back}."
        ) from error


def sample_counts(
    connection: duckdb.DuckDBPyConnection,
    location: TableLocation,
    key: str,
    conditions: list[tuple[str, list]],
    frame: Any,
) -> tuple[Callable[[], tuple[int, int]], Callable[[], tuple[int, int]]]:
    """Counters of (keys, rows) in a sampled read's ``frame`` (its sample is the last of
    ``conditions``) and in the table it was drawn from (the partitions read)."""
    distinct = f"count(DISTINCT {quote_identifier(key)})"

    def kept() -> tuple[int, int]:
        if isinstance(frame, pd.DataFrame) and key in frame.columns:
            return int(frame[key].nunique()), len(frame)
        return query_rows(connection, location, f"{distinct}, count(*)", conditions).fetchone()

    def whole() -> tuple[int, int]:
        return query_rows(connection, location, f"{distinct}, count(*)", conditions[:-1]).fetchone()

    return kept, whole


class NoTable(Exception):
    """The table read does not exist (raised inside the read's connection)."""
