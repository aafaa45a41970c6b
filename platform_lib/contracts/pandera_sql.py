"""Translating pandera's checks and dtypes into DuckDB SQL.

A check with a SQL meaning becomes the condition a valid value satisfies; a value or pattern
SQL cannot spell faithfully (None, timestamps, NaN, regex lookaround, ...) has none, and the
rule is left to pandera on the frame. A pandera dtype becomes the stored DuckDB types that
keep the contract's promise.
"""

import re
from typing import Any

from platform_lib.sql import quote_literal

# pandera dtype -> the DuckDB types a stored column may have (an all-null column, stored as
# "NULL", satisfies any of them)
STORED_TYPES = {
    "int64": ("BIGINT",),
    "int32": ("INTEGER",),
    "int16": ("SMALLINT",),
    "int8": ("TINYINT",),
    "uint64": ("UBIGINT",),
    "uint32": ("UINTEGER",),
    "uint16": ("USMALLINT",),
    "uint8": ("UTINYINT",),
    "Int64": ("BIGINT",),
    "Int32": ("INTEGER",),
    "Int16": ("SMALLINT",),
    "Int8": ("TINYINT",),
    "UInt64": ("UBIGINT",),
    "UInt32": ("UINTEGER",),
    "UInt16": ("USMALLINT",),
    "UInt8": ("UTINYINT",),
    "float64": ("DOUBLE",),
    "float32": ("FLOAT",),
    "Float64": ("DOUBLE",),
    "bool": ("BOOLEAN",),
    "boolean": ("BOOLEAN",),
    "str": ("VARCHAR",),
    "string": ("VARCHAR",),
    "category": ("VARCHAR", "ENUM"),
    "date": ("DATE",),
}
NAIVE_TIMESTAMPS = ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")
UNTYPED_DTYPES = ("object",)  # no dtype promise to check
# a stored DuckDB type -> the dtype a contract names it by (the first pandera spelling above)
CONTRACT_TYPES = {
    **{stored: dtype for dtype, types in reversed(STORED_TYPES.items()) for stored in types},
    **dict.fromkeys(NAIVE_TIMESTAMPS, "datetime64[ns]"),
    "TIMESTAMP WITH TIME ZONE": "datetime64[ns, <tz>]",
    "INTERVAL": "timedelta64[ns]",
}


class _NoSQL(Exception):
    """A value SQL cannot spell faithfully: the rule falls back to pandera."""


def sql_condition(column: str, check: str, stats: dict[str, Any]) -> str | None:
    """The SQL condition a valid value of ``column`` (quoted) satisfies under the pandera
    check named ``check`` with its ``stats``; None when SQL cannot say it faithfully."""
    try:
        return _condition(column, check, stats)
    except _NoSQL:
        return None


def describe_check(check: str, stats: dict[str, Any]) -> str:
    """``in_range(min_value=0, max_value=1)``: a check as a person reads it."""
    shown = ", ".join(f"{k}={v!r}" for k, v in stats.items() if v is not None)
    return f"{check}({shown})"


def stored_types(dtype: str) -> tuple[str, ...]:
    """The DuckDB types a column of pandera ``dtype`` may be stored as; values must convert
    to the first."""
    if dtype.startswith("datetime64"):
        return ("TIMESTAMP WITH TIME ZONE",) if "," in dtype else NAIVE_TIMESTAMPS
    if dtype.startswith("timedelta64"):
        return ("INTERVAL",)
    return STORED_TYPES.get(dtype, (dtype.upper(),))


def contract_type(stored_type: str) -> str:
    """The dtype a contract would name a column stored as DuckDB's ``stored_type`` by
    (``DOUBLE`` is ``float64``), so messages speak the contract's language; a type no
    contract dtype stores as keeps its DuckDB name."""
    if stored_type.startswith("ENUM("):
        return "category"
    return CONTRACT_TYPES.get(stored_type, f"{stored_type} (DuckDB)")


def _condition(column: str, check: str, stats: dict[str, Any]) -> str | None:
    comparisons = {
        "greater_than": (">", "min_value"),
        "greater_than_or_equal_to": (">=", "min_value"),
        "less_than": ("<", "max_value"),
        "less_than_or_equal_to": ("<=", "max_value"),
        "equal_to": ("=", "value"),
        "not_equal_to": ("<>", "value"),
    }
    if check in comparisons:
        operator, key = comparisons[check]
        return f"{column} {operator} {_literal(stats[key])}"
    if check == "in_range":
        low = ">=" if stats.get("include_min", True) else ">"
        high = "<=" if stats.get("include_max", True) else "<"
        return (
            f"{column} {low} {_literal(stats['min_value'])} AND "
            f"{column} {high} {_literal(stats['max_value'])}"
        )
    if check == "isin":
        return f"{column} IN ({', '.join(_literal(v) for v in stats['allowed_values'])})"
    if check == "notin":
        return f"{column} NOT IN ({', '.join(_literal(v) for v in stats['forbidden_values'])})"
    if check in ("str_matches", "str_contains"):
        pattern = stats["pattern"]
        if not isinstance(pattern, str) or not _re2_compatible(pattern):
            raise _NoSQL(pattern)
        anchored = "^(?:" + pattern + ")" if check == "str_matches" else pattern  # like re.match
        return f"regexp_matches({column}, {_literal(anchored)})"
    if check == "str_startswith":
        return f"starts_with({column}, {_literal(stats['string'])})"
    if check == "str_endswith":
        return f"ends_with({column}, {_literal(stats['string'])})"
    if check == "str_length":
        if stats.get("exact_value") is not None:
            return f"length({column}) = {int(stats['exact_value'])}"
        bounds = []
        if stats.get("min_value") is not None:
            bounds.append(f"length({column}) >= {int(stats['min_value'])}")
        if stats.get("max_value") is not None:
            bounds.append(f"length({column}) <= {int(stats['max_value'])}")
        return " AND ".join(bounds) or "true"
    return None


def _literal(value: Any) -> str:
    """``value`` as SQL text, or ``_NoSQL`` when SQL text would not spell it exactly."""
    try:
        return quote_literal(value)
    except ValueError as error:
        raise _NoSQL(value) from error


def _re2_compatible(pattern: str) -> bool:
    """DuckDB's RE2 has no lookaround or backreferences, and ``$`` does not match before a
    trailing newline as Python's does: such patterns are left to pandera."""
    return not re.search(r"\(\?[=!<]|\\[1-9]|\$", pattern.rstrip("$"))
