"""The kinds an asset reads and returns, for the tests proving every guarantee holds for each
(tests/warehouse/test_kinds*.py): a new kind is one line of ``INPUTS`` or ``OUTPUTS``."""

from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from dagster import AssetIn, AssetKey, asset

from platform_lib import open_warehouse
from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.warehouse.layout import TableLocation

INPUTS: dict[str, type] = {
    "pandas": pd.DataFrame,
    "polars": pl.DataFrame,
    "polars_lazy": pl.LazyFrame,
    "arrow": pa.Table,
    "relation": duckdb.DuckDBPyRelation,
}
"""Each input kind, by the annotation that asks for it."""

LAZY_INPUTS = {
    name: annotation for name, annotation in INPUTS.items() if name.endswith(("lazy", "relation"))
}

OUTPUTS: dict[str, Callable[[pd.DataFrame], Any]] = {
    "pandas": lambda frame: frame,
    "polars": pl.from_pandas,
    "polars_lazy": lambda frame: pl.from_pandas(frame).lazy(),
    "arrow": lambda frame: pa.Table.from_pandas(frame, preserve_index=False),
    "relation": duckdb.from_df,  # DuckDB's default connection, where lazy inputs are read
    "own_connection": lambda frame: duckdb.connect().from_df(frame),  # an Arrow stream
}
"""Each output kind, made from a pandas frame as an asset would return it."""

LAZY_OUTPUTS = ["polars_lazy", "relation", "own_connection"]


def as_pandas(value: Any) -> pd.DataFrame:
    """An input of any kind, fetched as pandas to compare."""
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, pl.LazyFrame):
        return value.collect().to_pandas()
    if isinstance(value, pl.DataFrame | pa.Table):
        return value.to_pandas()
    return value.df()


def returning(name: str, kind: str, frame: Callable[..., pd.DataFrame], decorator=asset, **kwargs):
    """An asset ``name`` returning ``frame(context)`` as ``kind`` (``OUTPUTS``)."""

    @decorator(name=name, **kwargs)
    def produce(context) -> Any:
        """Rows made by the test, returned as one kind."""
        return OUTPUTS[kind](frame(context))

    return produce


def reading(
    name: str, kind: str, upstream: str | list[str], body: Callable, decorator=asset, **kwargs
):
    """An asset ``name`` whose input ``source``, the asset ``upstream`` (a key path), is loaded
    as ``kind`` (``INPUTS``), returning ``body(source)``; ``columns`` reads only those,
    ``partition_mapping`` maps its partitions."""
    columns, mapping = kwargs.pop("columns", None), kwargs.pop("partition_mapping", None)
    key = AssetKey(upstream if isinstance(upstream, list) else [upstream])
    metadata = {"columns": columns} if columns else None
    source = AssetIn(key=key, metadata=metadata, partition_mapping=mapping)

    def consume(source):
        """Rows of its input, as the test says."""
        return body(source)

    consume.__annotations__ = {"source": INPUTS[kind], "return": Any}
    return decorator(name=name, ins={"source": source}, **kwargs)(consume)


def attached_lakes() -> list[str]:
    """The databases attached on DuckDB's default connection beyond its own."""
    rows = (
        duckdb.default_connection()
        .execute(
            "SELECT database_name FROM duckdb_databases() "
            "WHERE NOT internal AND database_name NOT IN ('memory', 'temp', 'system')"
        )
        .fetchall()
    )
    return [name for (name,) in rows]


STOCK = returning("stock", "pandas", lambda _: pd.DataFrame({"sku": ["a", "b"]}))


def lazy_job():
    """The shop's stock read and written back as a relation, by a job of processes (one per
    step, so this one runs in a process of its own); loaded again in that process, so it is
    built by a function."""
    from platform_lib import ParallelJob, team_definitions

    copy = reading("stock_relation", "relation", "stock", lambda source: source)
    job = ParallelJob("lazy", assets=["stock_relation"])
    return team_definitions("shop", assets=[STOCK, copy], jobs=[job]).resolve_job_def("lazy")


@pytest.fixture(autouse=True)
def nothing_left_attached():
    """In a test module importing it: every test leaves DuckDB's default connection with no
    lake attached."""
    yield
    assert attached_lakes() == []


def read_tables(*tables: str, user: str = "alice") -> dict[str, pd.DataFrame]:
    """Each ``team.table`` as production and ``user``'s sandboxes hold it, read in one
    connection (each connection loads DuckDB's extensions anew)."""
    with open_warehouse(sandboxes_of=user, environment=RunEnvironment()) as connection:
        return {table: connection.sql(f"SELECT * FROM {table}").df() for table in tables}


def tables_of(team: str, *names: str) -> dict[str, pd.DataFrame]:
    """The team's tables ``names``, by name."""
    written = read_tables(*(f"{team}.{name}" for name in names))
    return {table.removeprefix(f"{team}."): frame for table, frame in written.items()}


def location_of(warehouse, label: str) -> TableLocation:
    from platform_lib.warehouse.layout import table_for

    return table_for(AssetKey(label.split("/")), warehouse)
