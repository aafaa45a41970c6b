"""The kinds of data an asset reads and returns: pandas, polars (eager or lazy), Arrow, and
DuckDB relations.

An input's annotation chooses how its table is loaded; the object an asset returns chooses
how it is written. The eager kinds are fetched whole; the lazy ones (a relation, a polars
LazyFrame) are queries over the table that run only when the asset's own query runs, in the
write transaction, so a table bigger than memory streams through DuckDB and never into
Python. Nothing here imports polars, pyarrow or DuckDB: a kind is recognised by its class's
module, so a team that never uses a library never loads it.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb


class Kind(Enum):
    """How a table is held in Python; the value is how a person names the class."""

    PANDAS = "pandas.DataFrame"
    POLARS = "polars.DataFrame"
    POLARS_LAZY = "polars.LazyFrame"
    ARROW = "pyarrow.Table"
    RELATION = "duckdb.DuckDBPyRelation"

    @property
    def lazy(self) -> bool:
        """Whether it is a query that reads nothing until it runs."""
        return self in (Kind.POLARS_LAZY, Kind.RELATION)


_CLASSES = {
    ("pandas.core.frame", "DataFrame"): Kind.PANDAS,
    ("polars.dataframe.frame", "DataFrame"): Kind.POLARS,
    ("polars.lazyframe.frame", "LazyFrame"): Kind.POLARS_LAZY,
    ("pyarrow.lib", "Table"): Kind.ARROW,
    ("_duckdb", "DuckDBPyRelation"): Kind.RELATION,
    ("duckdb", "DuckDBPyRelation"): Kind.RELATION,
}


def kind_of_type(annotation: Any) -> Kind | None:
    """The kind an input annotated ``annotation`` is loaded as; None for a type the
    warehouse does not load (``Any`` and no annotation load pandas: see ``kind_to_load``)."""
    if not isinstance(annotation, type):
        return None
    for klass in annotation.__mro__:
        kind = _CLASSES.get((klass.__module__, klass.__qualname__))
        if kind is not None:
            return kind
    return None


def kind_of(value: object) -> Kind | None:
    """The kind of a returned ``value``; None when the warehouse cannot store it."""
    return kind_of_type(type(value))


def kind_to_load(annotation: Any) -> Kind:
    """The kind an input is loaded as: its annotation's, pandas when it names none."""
    return kind_of_type(annotation) or Kind.PANDAS


def load_as(relation: duckdb.DuckDBPyRelation, kind: Kind) -> Any:
    """``relation``'s rows as ``kind``: fetched whole for an eager kind, still a query for a
    lazy one."""
    if kind is Kind.RELATION:
        return relation
    if kind is Kind.POLARS_LAZY:
        return relation.pl(lazy=True)
    if kind is Kind.POLARS:
        return relation.pl()
    if kind is Kind.ARROW:
        return relation.to_arrow_table()
    return relation.df()


def no_rows_as(columns: list[str], kind: Kind) -> Any:
    """No rows, with ``columns`` (untyped), as ``kind``: what an input that maps to no
    partition of a table that does not exist yet reads."""
    import pandas as pd

    frame = pd.DataFrame(columns=columns)
    if kind is Kind.PANDAS:
        return frame
    if kind in (Kind.POLARS, Kind.POLARS_LAZY):
        import polars as pl

        empty = pl.DataFrame(schema=columns)
        return empty.lazy() if kind is Kind.POLARS_LAZY else empty
    if kind is Kind.ARROW:
        import pyarrow as pa

        return pa.table({name: pa.array([], pa.null()) for name in columns})
    from platform_lib.sql import quote_identifier
    from platform_lib.warehouse.connection import default_connection

    selected = ", ".join(f"NULL AS {quote_identifier(name)}" for name in columns or ["empty"])
    return default_connection().sql(f"SELECT {selected} WHERE FALSE")


def columns_of(value: Any, kind: Kind) -> list[str]:
    """The column names of a value of ``kind``, without running a lazy one."""
    if kind is Kind.POLARS_LAZY:
        return list(value.collect_schema().names())
    if kind is Kind.ARROW:
        return list(value.column_names)
    return [str(name) for name in value.columns]


def supported() -> str:
    """The kinds, as a sentence lists them."""
    names = [kind.value for kind in Kind]
    return ", ".join(names[:-1]) + " or " + names[-1]
