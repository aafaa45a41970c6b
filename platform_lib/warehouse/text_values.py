"""Values DuckDB can store only as their text: refused before a write, not stored as a repr.

A pandas column of dtype ``object`` is typed by DuckDB from its Python values: dicts become
STRUCT or MAP, lists LIST, ``Decimal`` DECIMAL, ``bytes`` BLOB, dates DATE, ``UUID`` UUID.
Values that fit no type (an ``object()``, a set, a custom class, or a str mixed with numbers)
make the column VARCHAR, and every non-string value in it is stored as ``str(value)``: a
DOUBLE column would silently become text like ``'<object object at 0x7f...>'``. Only a
VARCHAR place (the column, or a field or item nested in it) takes a repr; a value that does
not fit any other type fails DuckDB's conversion, so the write fails and nothing changes.

The check is exact and cheap: only ``object`` columns that DuckDB types with a VARCHAR in
them are looked at; a plain VARCHAR column is one C-speed pass (``infer_dtype``, about 25 ns
a value), and a nested one is walked only when it holds text somewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from platform_lib.errors import WarehouseError
from platform_lib.sql import quote_identifier

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

TEXT, CONTAINERS = "varchar", ("struct", "map", "list", "array")
SHOWN_TYPES = 4


def refuse_text_only_values(
    connection: duckdb.DuckDBPyConnection,
    relation: str,
    frame: pd.DataFrame,
    asset_label: str,
    table_name: str,
) -> None:
    """Raise ``WarehouseError`` when a column of ``frame`` (registered as ``relation``) holds
    values DuckDB would store as their text, naming each such column and its Python types."""
    objects = [name for name, dtype in frame.dtypes.items() if pd.api.types.is_object_dtype(dtype)]
    if not objects:
        return
    selected = ", ".join(quote_identifier(str(name)) for name in objects)
    kinds = connection.sql(f"SELECT {selected} FROM {relation}").dtypes
    found = {}
    for name, kind in zip(objects, kinds, strict=True):
        if not _holds_text(kind):
            continue
        misfits = _misfit_types(frame[name], kind)
        if misfits:
            found[str(name)] = misfits
    if not found:
        return
    columns = "; ".join(
        f"column {name!r} holds {', '.join(types[:SHOWN_TYPES])}" for name, types in found.items()
    )
    raise WarehouseError(
        f"Asset {asset_label}: {columns}, which DuckDB can store only as their text (repr), "
        f"so the column would silently become VARCHAR. The table {table_name} was not "
        "changed. Convert the column to one type the warehouse stores (numbers, str, "
        "datetimes, dicts or lists of those): e.g. pd.to_numeric(...), .astype(str) when text "
        "is meant, or drop the column."
    )


def _misfit_types(column: pd.Series, kind: Any) -> list[str]:
    """The Python types (by name, sorted) of the values DuckDB would store as text."""
    if kind.id == TEXT and pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        return []  # the common case, decided in one pass
    return sorted({_type_name(type_) for value in column for type_ in _misfits(value, kind)})


def _misfits(value: Any, kind: Any) -> Iterator[type]:
    """The types of the parts of ``value`` that land in a VARCHAR place of DuckDB type
    ``kind`` as something other than a string."""
    if _is_null(value):
        return
    if kind.id == TEXT:
        if not isinstance(value, str):
            yield type(value)
    elif kind.id == "struct" and isinstance(value, dict):
        fields = dict(kind.children)
        for key, item in value.items():
            if key in fields:
                yield from _misfits(item, fields[key])
    elif kind.id == "map" and isinstance(value, dict):
        (_, key_kind), (_, value_kind) = kind.children
        for key, item in value.items():
            yield from _misfits(key, key_kind)
            yield from _misfits(item, value_kind)
    elif kind.id in ("list", "array") and not isinstance(value, str | bytes | dict):
        for item in value:
            yield from _misfits(item, kind.children[0][1])


def _holds_text(kind: Any) -> bool:
    if kind.id == TEXT:
        return True
    if kind.id in CONTAINERS:
        return any(_holds_text(child) for _, child in kind.children)
    return False


def _is_null(value: Any) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _type_name(type_: type) -> str:
    module = type_.__module__
    return type_.__qualname__ if module == "builtins" else f"{module}.{type_.__qualname__}"
