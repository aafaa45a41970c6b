"""Reading a warehouse table: its columns in the rows meeting every condition (a partition
slice, a sample), whether it holds any such rows, and how many keys a sample kept.

An eager read (pandas, polars, Arrow) is fetched only if it fits the run's memory limit
(``memory``): DuckDB hands Python the whole result without counting it, so a table bigger
than the limit is refused before it is fetched, with the way to read it lazily."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pandas as pd

from platform_lib.errors import WarehouseError
from platform_lib.settings import RUN_MEMORY_ENV
from platform_lib.sql import quote_identifier
from platform_lib.warehouse.kinds import Kind, load_as
from platform_lib.warehouse.layout import TableLocation
from platform_lib.warehouse.memory import limit_of, shown
from platform_lib.warehouse.partitions import PartitionSlice

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

PROBE_ROWS = 10_000
"""The rows an eager read fetches first: all of a small table; for a larger one, what a row
costs in memory, to tell whether the rest fits."""
_DATA_FILE = re.compile(r"""file ['"](?P<file>[^'"]+\.parquet)['"]""", re.IGNORECASE)
"""A Parquet file named in DuckDB's error ("Cannot open file "..."", "for file '...'")."""


def select_rows(
    connection: duckdb.DuckDBPyConnection,
    location: TableLocation,
    columns: list[str] | None,
    conditions: list[tuple[str, list]],
    label: str,
    kind: Kind = Kind.PANDAS,
    reader: str | None = None,
) -> Any:
    """The table's ``columns`` (all by default) in the rows meeting every condition, fetched
    as an eager ``kind`` (a pandas DataFrame by default) if it fits the run's memory limit;
    ``reader`` is the asset reading it, for the error when it does not."""
    import duckdb

    selected = selection(columns)
    try:
        with table_read(location, columns, label):  # a file may fail only as rows are fetched
            query, parameters = rows_query(location.sql, selected, conditions)
            first = load_as(
                connection.sql(f"{query} LIMIT {PROBE_ROWS + 1}", params=parameters), kind
            )
            if len(first) <= PROBE_ROWS:  # that was all of it
                return first
            _refuse_beyond_limit(connection, location, conditions, first, kind, reader)
            return load_as(connection.sql(query, params=parameters), kind)
    except duckdb.OutOfMemoryException as error:  # DuckDB itself ran out reading it
        rows = _rows(connection, location, conditions)
        raise WarehouseError(_too_big(location, kind, reader, rows, None, connection)) from error


@contextmanager
def table_read(location: TableLocation, columns: list[str] | None, label: str) -> Iterator[None]:
    """Inside: a read of ``columns`` of asset ``label``'s table; a table that does not exist
    raises ``NoTable``, columns it lacks and damaged files a ``WarehouseError`` saying why."""
    import duckdb

    try:
        with damage_named(location):
            yield
    except duckdb.CatalogException as error:
        raise NoTable from error
    except duckdb.BinderException as error:
        raise WarehouseError(
            f"Reading columns {columns} of {label} from {location.name} failed: "
            f"{error}. The owning team ({location.team!r}) may have dropped or renamed "
            "a column you consume; ask them, or update the columns you read."
        ) from error


def _refuse_beyond_limit(connection, location, conditions, first, kind, reader) -> None:
    """Refuse a read whose rows would take more memory than the limit, by the cost of the
    first rows (as ``kind`` holds them) times the rows there are."""
    rows = _rows(connection, location, conditions)
    size = _bytes_held(first, kind) * rows // len(first)
    if size > limit_of(connection):
        raise WarehouseError(_too_big(location, kind, reader, rows, size, connection))


def _rows(connection, location, conditions) -> int:
    return query_rows(connection, location, "count(*)", conditions).fetchone()[0]


def _bytes_held(value: Any, kind: Kind) -> int:
    if kind is Kind.PANDAS:
        return int(value.memory_usage(deep=True).sum())
    return int(value.estimated_size() if kind is Kind.POLARS else value.nbytes)


def _too_big(location, kind, reader, rows: int, size: int | None, connection) -> str:
    asset = f"Asset {reader}" if reader else "An asset"
    held = f", about {shown(size)} as {kind.value}," if size else ""
    return (
        f"{asset} cannot load its input {location.team}/{location.table} (table "
        f"{location.name}) as {kind.value}: its {rows:,} rows{held} would not fit the run's "
        f"memory limit of {shown(limit_of(connection))}. Read it lazily: annotate the input "
        "duckdb.DuckDBPyRelation (a query over the table) or polars.LazyFrame, so the "
        "asset's query runs in DuckDB and spills to disk when it must; or raise the limit "
        f"({RUN_MEMORY_ENV}, e.g. 8GB)."
    )


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
