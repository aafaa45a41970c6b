"""What an asset returned, made readable as the write's frame (``tailor_frame``) in the
connection that writes its table.

A pandas, polars or Arrow frame is scanned where it is, without a copy. A relation on the
connection that writes runs inside the write transaction, straight into the table. A relation
on another connection (a scientist's own ``duckdb.connect()``), and a polars LazyFrame (run by
polars' streaming engine), arrive as a stream of Arrow batches, so neither is ever collected
whole into Python; a stream is read once, so a write that must scan its frame more than once
(some partitions of a table) first copies it into a temporary table, which DuckDB spills to
disk past its memory limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from platform_lib.errors import TailorError, WarehouseError
from platform_lib.settings import RUN_MEMORY_ENV
from platform_lib.sql import column_types, quote_identifier
from platform_lib.warehouse.kinds import Kind, kind_of

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

FRAME = "tailor_frame"
"""The name a write's frame is read by in its connection."""
_FRAME_DATA = "tailor_frame_data"
_STAGED = "tailor_frame_staged"
BATCH_ROWS = 1_000_000
"""Rows per Arrow batch of a stream: big enough to amortise, small enough to bound memory."""
_CONNECTION_MARK = "tailor_connection"


@dataclass(frozen=True, eq=False)
class Returned:
    """An asset's returned value of a kind the warehouse stores."""

    value: Any
    kind: Kind

    @classmethod
    def of(cls, value: Any) -> Returned | None:
        kind = kind_of(value)
        return cls(value, kind) if kind is not None else None

    def runs_on(self, connection: duckdb.DuckDBPyConnection) -> bool:
        """Whether this is a relation of ``connection`` (which can run it in its own
        transaction), asked of the relation itself without running it."""
        if self.kind is not Kind.RELATION:
            return False
        mark = f"{id(connection)}"
        connection.execute(f"SET VARIABLE {_CONNECTION_MARK} = ?", [mark])
        try:
            query = f"SELECT getvariable('{_CONNECTION_MARK}')"
            return self.value.query("tailor_probe", query).fetchall() == [(mark,)]
        finally:
            connection.execute(f"RESET VARIABLE {_CONNECTION_MARK}")

    def register(self, connection: duckdb.DuckDBPyConnection, *, scans: int) -> None:
        """Make the value readable as ``tailor_frame`` in ``connection``, for a write that
        scans it ``scans`` times; call again before each attempt of a write (a stream is
        read once). Categoricals read as VARCHAR: DuckDB reads a pandas Categorical as an
        ENUM of the values it holds, which DuckLake does not store, and a partition with a
        value new to the table would otherwise retype the column."""
        value, kind = self.value, self.kind
        if kind.lazy and not self.runs_on(connection):  # a stream
            connection.register(_FRAME_DATA, self._stream())
            if scans > 1:
                connection.execute(
                    f"CREATE OR REPLACE TEMP TABLE {_STAGED} AS SELECT * FROM {_FRAME_DATA}"
                )
                connection.unregister(_FRAME_DATA)
                connection.execute(f"CREATE OR REPLACE TEMP VIEW {_FRAME_DATA} AS FROM {_STAGED}")
        else:  # scanned where it is; a relation of this connection, as a view of its query
            connection.register(_FRAME_DATA, value)
        enums = [
            name
            for name, kind_name in column_types(connection, _FRAME_DATA).items()
            if kind_name.startswith("ENUM(")
        ]
        as_text = ", ".join(
            f"{quote_identifier(name)}::VARCHAR AS {quote_identifier(name)}" for name in enums
        )
        replace = f" REPLACE ({as_text})" if enums else ""
        connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {FRAME} AS SELECT *{replace} FROM {_FRAME_DATA}"
        )

    @contextmanager
    def failures_named(self, label: str, table: str) -> Iterator[None]:
        """Inside: a lazy value's query failing as the write runs it is a ``WarehouseError``
        naming the asset ``label`` and its ``table``, which kept its previous version."""
        try:
            yield
        except TailorError:
            raise
        except Exception as error:
            if not self.kind.lazy:
                raise
            said = next((line for line in str(error).splitlines() if line.strip()), "")
            out_of_memory = type(error).__name__ == "OutOfMemoryException"
            fix = (
                "DuckDB ran out of the run's memory limit in an operator that cannot spill: "
                f'raise {RUN_MEMORY_ENV} (docs/warehouse.md, "Memory"), or make the query '
                "lighter (fewer columns in a DISTINCT, no ORDER BY a table does not need)"
                if out_of_memory
                else "Fix the asset's query (run it in a notebook to see the failing rows)"
            )
            raise WarehouseError(
                f"Asset {label}: the {self.kind.value} it returned failed as it ran, writing "
                f"table {table}: {type(error).__name__}: {said.strip()}. Nothing was written; "
                f"{table} keeps its previous version. {fix}, then materialize again."
            ) from error

    def _stream(self):
        """A fresh Arrow stream of a lazy value: a relation runs on its own connection, a
        LazyFrame in polars' streaming engine, one batch in memory at a time."""
        if self.kind is Kind.RELATION:
            return self.value.to_arrow_reader(BATCH_ROWS)
        import pyarrow as pa

        batches = iter(self.value.collect_batches(chunk_size=BATCH_ROWS))
        first = next(batches, None)
        if first is None:  # no rows: the schema alone
            return self.value.limit(0).collect().to_arrow().to_reader()
        first = first.to_arrow()

        def rest():
            yield from first.to_batches()
            for frame in batches:
                yield from frame.to_arrow().cast(first.schema).to_batches()

        return pa.RecordBatchReader.from_batches(first.schema, rest())
