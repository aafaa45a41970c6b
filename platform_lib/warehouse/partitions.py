"""The rows of a table that belong to some partitions of its asset.

An asset says which column holds its partition with Dagster's ``partition_expr`` metadata
convention: a SQL expression for one dimension, or ``{dimension: expression}`` for a
``MultiPartitionsDefinition``::

    @asset(partitions_def=daily, metadata={"partition_expr": "order_date"})

A time dimension selects ``start <= expr < end`` in the partitions' own time zone: the
bounds are wall-clock times there, and a time-zone-aware column (TIMESTAMPTZ) is compared as
its wall clock in that zone, whatever the session's zone. Any other dimension compares
``expr``, as text, with the partition key. A bare column name is quoted for you; anything
else is used as a SQL expression over the table's columns. Partition keys are always bound
as query parameters, never spliced into the SQL.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from dagster import (
    AssetExecutionContext,
    DynamicPartitionsDefinition,
    InputContext,
    MultiPartitionsDefinition,
    OutputContext,
    PartitionsDefinition,
    TimeWindowPartitionsDefinition,
)

from platform_lib.errors import WarehouseError
from platform_lib.sql import quote_identifier, quote_literal

PARTITION_EXPR = "partition_expr"


@dataclass(frozen=True)
class Dimension:
    """One partition dimension: the SQL expression that holds it, and whether it is time."""

    name: str
    expression: str
    is_time: bool
    timezone: str = "UTC"
    """A time dimension's partitions' time zone."""

    @property
    def sql(self) -> str:
        """A bare column name is quoted (``at`` is a keyword); anything else is SQL."""
        if self.expression.isidentifier():
            return quote_identifier(self.expression)
        return f"({self.expression})"

    @property
    def wall_clock_sql(self) -> str:
        """A time dimension's value as wall-clock time in its partitions' zone."""
        tz = quote_literal(self.timezone)
        return (
            f"CASE WHEN typeof({self.sql}) = 'TIMESTAMP WITH TIME ZONE' "
            f"THEN timezone({tz}, {self.sql}::TIMESTAMPTZ) ELSE {self.sql}::TIMESTAMP END"
        )


@dataclass(frozen=True)
class PartitionSlice:
    """Selected partitions as rows of bounds: ``(start, end)`` per time dimension and
    ``(key,)`` per other dimension, in dimension order."""

    dimensions: tuple[Dimension, ...]
    bounds: tuple[tuple[Any, ...], ...]
    keys: tuple[str, ...]
    covers_all: bool = False
    """True when the run writes every partition: the frame then replaces the whole table."""

    @cached_property
    def predicate(self) -> tuple[str, list[Any]]:
        """A SQL condition true for exactly the rows in the slice, and its parameters
        (computed once per slice)."""
        columns, tests = [], []
        for position, dimension in enumerate(self.dimensions):
            if dimension.is_time:
                start, end = f"tailor_p{position}_start", f"tailor_p{position}_end"
                columns += [start, end]
                value = dimension.wall_clock_sql
                tests.append(f"{value} >= {start} AND {value} < {end}")
            else:
                key = f"tailor_p{position}_key"
                columns.append(key)
                tests.append(f"CAST({dimension.sql} AS VARCHAR) = {key}")
        placeholders = ", ".join(
            "?::TIMESTAMP" if column.endswith(("_start", "_end")) else "?::VARCHAR"
            for column in columns
        )
        values = ", ".join(f"({placeholders})" for _ in self.bounds)
        sql = (
            f"EXISTS (SELECT 1 FROM (VALUES {values}) AS tailor_partitions({', '.join(columns)})"
            f" WHERE {' AND '.join(tests)})"
        )
        return sql, [value for row in self.bounds for value in row]

    def expressions(self) -> str:
        """The partition expressions, for messages."""
        return ", ".join(dimension.expression for dimension in self.dimensions)

    def describe(self) -> str:
        """The selected partition keys, shortened for an error message."""
        shown = ", ".join(self.keys[:3])
        return shown + (f" and {len(self.keys) - 3} more" if len(self.keys) > 3 else "")


def partition_slice(
    context: InputContext | OutputContext, asset_label: str
) -> PartitionSlice | None:
    """The slice a run writes (output) or reads (input); ``None`` means the whole table."""
    if not context.has_asset_partitions:
        return None
    return _slice(
        context.asset_partitions_def,
        list(context.asset_partition_keys),
        lambda: context.asset_partitions_time_window,
        _partition_expr(context),
        asset_label,
    )


def run_partition_slice(context: AssetExecutionContext, asset_label: str) -> PartitionSlice | None:
    """The slice an asset's own run writes, from its execution context."""
    partitions_def = context.assets_def.partitions_def
    if partitions_def is None:
        return None
    expression = (context.assets_def.metadata_by_key[context.asset_key] or {}).get(PARTITION_EXPR)
    return _slice(
        partitions_def,
        list(context.partition_keys),
        lambda: context.partition_time_window,
        expression,
        asset_label,
    )


def _slice(
    partitions_def: PartitionsDefinition,
    keys: list[str],
    time_window: Callable[[], Any],
    expression: Any,
    asset_label: str,
) -> PartitionSlice:
    dimensions = _dimensions(partitions_def, expression, asset_label)
    if isinstance(partitions_def, TimeWindowPartitionsDefinition):
        window = time_window()
        bounds = [(_naive(window.start), _naive(window.end))]
    else:
        bounds = [_bounds_of_key(partitions_def, dimensions, key) for key in keys]
    return PartitionSlice(
        tuple(dimensions), tuple(bounds), tuple(keys), _covers_all(partitions_def, keys)
    )


def _covers_all(partitions_def: PartitionsDefinition, keys: Sequence[str]) -> bool:
    if isinstance(partitions_def, DynamicPartitionsDefinition):
        return False
    return set(keys) == set(partitions_def.get_partition_keys())


def _partition_expr(context: InputContext | OutputContext) -> Any:
    if isinstance(context, InputContext):
        metadata = context.upstream_output.definition_metadata if context.upstream_output else {}
    else:
        metadata = context.definition_metadata
    return (metadata or {}).get(PARTITION_EXPR)


def _dimensions(
    partitions_def: PartitionsDefinition, expression: Any, asset_label: str
) -> list[Dimension]:
    if isinstance(partitions_def, MultiPartitionsDefinition):
        names = [dimension.name for dimension in partitions_def.partitions_defs]
        if not isinstance(expression, dict) or set(expression) != set(names):
            raise WarehouseError(
                f"Asset {asset_label} is partitioned by {names}; set metadata="
                f'{{"partition_expr": {{{", ".join(f"{n!r}: <column>" for n in names)}}}}} '
                "so the warehouse knows which column holds each dimension."
            )
        return [
            _dimension(d.name, d.partitions_def, expression[d.name])
            for d in partitions_def.partitions_defs
        ]
    if not isinstance(expression, str) or not expression.strip():
        raise WarehouseError(
            f"Asset {asset_label} is partitioned; set metadata="
            '{"partition_expr": "<column>"} naming the column that holds the partition, '
            "so the warehouse can replace exactly that partition's rows."
        )
    return [_dimension("partition", partitions_def, expression)]


def _dimension(name: str, partitions_def: PartitionsDefinition, expression: str) -> Dimension:
    if isinstance(partitions_def, TimeWindowPartitionsDefinition):
        return Dimension(name, expression, True, partitions_def.timezone)
    return Dimension(name, expression, False)


def _bounds_of_key(
    partitions_def: PartitionsDefinition, dimensions: Sequence[Dimension], key: str
) -> tuple[Any, ...]:
    if not isinstance(partitions_def, MultiPartitionsDefinition):
        return (key,)
    by_dimension = partitions_def.get_partition_key_from_str(key).keys_by_dimension
    bounds: list[Any] = []
    for dimension, definition in zip(dimensions, partitions_def.partitions_defs, strict=True):
        dimension_key = by_dimension[dimension.name]
        if dimension.is_time:
            window = definition.partitions_def.time_window_for_partition_key(dimension_key)
            bounds += [_naive(window.start), _naive(window.end)]
        else:
            bounds.append(dimension_key)
    return tuple(bounds)


def _naive(moment: datetime) -> datetime:
    """Wall-clock time in the partitions' own timezone, as DuckDB TIMESTAMP compares it."""
    return moment.replace(tzinfo=None)
