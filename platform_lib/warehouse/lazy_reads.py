"""Lazy inputs: an input loaded as a DuckDB relation or a polars LazyFrame is a query over
its table on DuckDB's default connection, and reads nothing until the asset's query runs.

The input's lake stays attached there (read-only, at the version the run reads) until the
step ends, since the query runs when the asset's result is written; a failed read or write,
the next step of an in-process run, or the resource's teardown, detaches it. On that
connection a scientist's ``duckdb.sql("SELECT ... FROM inventory JOIN orders USING (sku)")``
reads the inputs by their parameter names, and the relation it returns is written in the
same connection's write transaction, straight into the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

from platform_lib.sql import quote_identifier
from platform_lib.warehouse.connection import default_connection, lake_connection
from platform_lib.warehouse.layout import TableLocation
from platform_lib.warehouse.reads import rows_query

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb
    import polars as pl


class LazyReads:
    """The lakes one step's lazy inputs read, attached to DuckDB's default connection."""

    def __init__(self) -> None:
        self._step: str | None = None
        self._attached: dict[tuple[str, int | None], str] = {}
        self._stack = ExitStack()

    @staticmethod
    def relation(query: str, parameters: list) -> duckdb.DuckDBPyRelation:
        """The rows of ``query`` (from ``rows``) as a relation of the default connection that
        runs only when used."""
        return default_connection().sql(query, params=parameters or None)

    @staticmethod
    def lazy_frame(query: str, parameters: list) -> pl.LazyFrame:
        """The same rows as a polars LazyFrame: DuckDB's own polars source (projections,
        filters and limits pushed into the query), each scan on a cursor of its own, since
        polars may scan one input twice at once (a self-join) and a connection runs one
        query at a time."""
        from duckdb.polars_io import duckdb_source

        schema = default_connection().sql(query, params=parameters or None).limit(0).pl().schema
        return duckdb_source(_FreshScans(query, parameters), schema)

    def rows(
        self,
        step: str,
        location: TableLocation,
        selected: str,
        conditions: list[tuple[str, list]],
        wait_seconds: float,
    ) -> tuple[str, list]:
        """``SELECT selected`` from ``location``'s table in the rows meeting every condition:
        the query and its parameters, over the table's lake attached to the default
        connection for the rest of ``step``."""
        if step != self._step:  # an in-process run's next step: the last one's reads end
            self.close()
            self._step = step
        connection = default_connection()
        key = (str(location.lake), location.version)
        if key not in self._attached:
            where = connection.execute("SELECT current_database(), current_schema()").fetchone()
            attached = self._stack.enter_context(
                lake_connection(
                    location.lake,
                    read_only=True,
                    version=location.version,
                    wait_seconds=wait_seconds,
                    on=connection,
                )
            )
            alias = attached.execute("SELECT current_database()").fetchone()[0]
            connection.execute(f"USE {'.'.join(map(quote_identifier, where))}")  # as it was
            self._attached[key] = alias
        return rows_query(f"{self._attached[key]}.main.{location.sql}", selected, conditions)

    @contextmanager
    def closed_on_failure(self) -> Iterator[None]:
        """Inside: a failure ends the step, so its lazy reads are closed."""
        try:
            yield
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Detach every lake read; relations over them no longer run."""
        self._attached.clear()
        self._step = None
        stack, self._stack = self._stack, ExitStack()
        stack.close()


class _FreshScans:
    """A relation for DuckDB's polars source whose every scan (the first relation method the
    source calls) starts the query on a new cursor of the default connection."""

    def __init__(self, query: str, parameters: list) -> None:
        self._query, self._parameters = query, parameters

    def __getattr__(self, method: str):
        cursor = default_connection().cursor()  # kept alive by the relation made on it
        return getattr(cursor.sql(self._query, params=self._parameters or None), method)
