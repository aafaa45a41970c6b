"""A pandera ``DataFrameModel`` read as a list of rules, each one Dagster asset check.

Every column rule becomes its own rule (``client_id_unique``, ``keep_rate_in_range``, ...);
the table-level rules (required columns, ``Config.unique``, ``Config.strict``) are one rule,
``table_rules``. A rule with a SQL meaning carries a predicate that selects its *failing* rows,
so the warehouse can count them without loading the table; any other rule (a custom
``@pa.check`` or ``@pa.dataframe_check``) falls back to pandera on the frame.

Severity is ERROR unless the field says ``metadata={"severity": "warn"}``.
"""

import re
from dataclasses import dataclass, field
from typing import Any

import pandera.pandas as pa
from dagster import AssetCheckSeverity

from platform_lib.sql import quote_identifier

TABLE_RULES = "table_rules"
TABLE = "__tailor_table__"  # replaced by the checked table's name in failing-row SQL

# pandera dtype -> the DuckDB types a stored column may have
STORED_TYPES = {
    "int64": ("BIGINT",),
    "int32": ("INTEGER",),
    "int16": ("SMALLINT",),
    "int8": ("TINYINT",),
    "Int64": ("BIGINT",),
    "Int32": ("INTEGER",),
    "float64": ("DOUBLE",),
    "float32": ("FLOAT",),
    "bool": ("BOOLEAN",),
    "str": ("VARCHAR",),
    "string": ("VARCHAR",),
    "category": ("VARCHAR", "ENUM"),
    "date": ("DATE",),
}


@dataclass(frozen=True)
class Rule:
    """One check of a contract."""

    name: str
    description: str
    severity: AssetCheckSeverity
    column: str | None = None
    failing_rows_sql: str | None = None
    """A condition true for each row that breaks the rule, or None when SQL cannot say it."""
    violations_sql: str | None = None
    """A cheaper aggregate that is 0 exactly when the rule holds (``count(x) - count(DISTINCT
    x)`` for uniqueness); the failing rows are then counted only when it is not."""
    pandera_schema: pa.DataFrameSchema | None = None
    """For rules without SQL: a schema holding just this rule, validated on the frame."""
    expected_type: tuple[str, ...] | None = None
    """For dtype rules: the stored types that satisfy it (checked from the table's schema);
    the first is the type values must cast to."""
    required_columns: tuple[str, ...] = field(default_factory=tuple)
    """For the table rule: the columns the table must have."""
    strict_columns: bool = False
    """For the table rule: whether columns outside the contract are refused."""

    @property
    def runs_in_warehouse(self) -> bool:
        return self.pandera_schema is None


def rules_from_contract(
    contract: type[pa.DataFrameModel] | None, sql_checks: dict[str, str] | None = None
) -> list[Rule]:
    """The rules of ``contract`` (if any), plus ``sql_checks`` (name -> a SQL condition every
    row must satisfy, e.g. ``{"refunds_are_negative": "kind <> 'refund' OR amount < 0"}``)."""
    schema = contract.to_schema() if contract is not None else pa.DataFrameSchema()
    rules = [_table_rule(schema)] if contract is not None else []
    for name, column in schema.columns.items():
        rules += _column_rules(name, column)
    for name, condition in (sql_checks or {}).items():
        rules.append(
            Rule(
                name=_check_name(name),
                description=f"Every row satisfies: {condition}",
                severity=AssetCheckSeverity.ERROR,
                failing_rows_sql=f"NOT coalesce(({condition}), false)",
            )
        )
    for check in schema.checks:  # @pa.dataframe_check: pandera only
        rules.append(
            Rule(
                name=_check_name(f"table_{check.name}"),
                description=f"Table check {check.name} (pandera)",
                severity=AssetCheckSeverity.ERROR,
                pandera_schema=pa.DataFrameSchema(checks=[check]),
            )
        )
    return rules


def _table_rule(schema: pa.DataFrameSchema) -> Rule:
    unique_sets = schema.unique or []
    columns = [quote_identifier(name) for name in unique_sets]
    failing = None
    description = f"Has the contract's columns ({', '.join(schema.columns)})"
    violations = None
    if columns:
        key = ", ".join(columns)
        failing = f"({key}) IN (SELECT ({key}) FROM {TABLE} GROUP BY {key} HAVING count(*) > 1)"
        violations = f"count(*) - count(DISTINCT ({key}))"
        description += f"; ({', '.join(unique_sets)}) is unique"
    if schema.strict:
        description += "; no other columns"
    return Rule(
        name=TABLE_RULES,
        description=description,
        severity=AssetCheckSeverity.ERROR,
        failing_rows_sql=failing,
        violations_sql=violations,
        required_columns=tuple(schema.columns),
        strict_columns=bool(schema.strict),
    )


def _column_rules(name: str, column: pa.Column) -> list[Rule]:
    severity = _severity(column)
    quoted = quote_identifier(name)

    def rule(suffix: str, description: str, **how: Any) -> Rule:
        return Rule(_check_name(f"{name}_{suffix}"), description, severity, name, **how)

    rules = []
    if column.dtype is not None:
        dtype = str(column.dtype)
        rules.append(
            rule("dtype", f"{name} is stored as {dtype}", expected_type=_stored_types(dtype))
        )
    if not column.nullable:
        rules.append(rule("not_null", f"{name} has no nulls", failing_rows_sql=f"{quoted} IS NULL"))
    if column.unique:
        duplicated = f"SELECT {quoted} FROM {TABLE} GROUP BY {quoted} HAVING count(*) > 1"
        rules.append(
            rule(
                "unique",
                f"{name} is unique",
                failing_rows_sql=f"{quoted} IN ({duplicated})",
                violations_sql=f"count({quoted}) - count(DISTINCT {quoted})",
            )
        )
    for check in column.checks:
        condition = _sql_condition(quoted, check.name, check.statistics)
        if condition is None:
            only_this = pa.Column(checks=[check], nullable=True, required=False)
            rules.append(
                rule(
                    check.name,
                    f"{name}: {check.name} (pandera)",
                    pandera_schema=pa.DataFrameSchema({name: only_this}),
                )
            )
        else:  # a null is the not-null rule's business, not this one's
            rules.append(
                rule(
                    check.name,
                    f"{name}: {_describe(check.name, check.statistics)}",
                    failing_rows_sql=f"{quoted} IS NOT NULL AND NOT ({condition})",
                )
            )
    return rules


def _sql_condition(column: str, check: str, stats: dict[str, Any]) -> str | None:
    """The SQL condition a valid value satisfies, for the pandera checks that have one."""
    literal = _literal
    if check in ("greater_than", "gt"):
        return f"{column} > {literal(stats['min_value'])}"
    if check in ("greater_than_or_equal_to", "ge"):
        return f"{column} >= {literal(stats['min_value'])}"
    if check in ("less_than", "lt"):
        return f"{column} < {literal(stats['max_value'])}"
    if check in ("less_than_or_equal_to", "le"):
        return f"{column} <= {literal(stats['max_value'])}"
    if check in ("equal_to", "eq"):
        return f"{column} = {literal(stats['value'])}"
    if check in ("not_equal_to", "ne"):
        return f"{column} <> {literal(stats['value'])}"
    if check == "in_range":
        low = ">=" if stats.get("include_min", True) else ">"
        high = "<=" if stats.get("include_max", True) else "<"
        return (
            f"{column} {low} {literal(stats['min_value'])} AND "
            f"{column} {high} {literal(stats['max_value'])}"
        )
    if check == "isin":
        return f"{column} IN ({', '.join(literal(v) for v in stats['allowed_values'])})"
    if check == "notin":
        return f"{column} NOT IN ({', '.join(literal(v) for v in stats['forbidden_values'])})"
    if check == "str_matches":  # pandera anchors at the start, like re.match
        return f"regexp_matches({column}, {literal('^(?:' + stats['pattern'] + ')')})"
    if check == "str_contains":
        return f"regexp_matches({column}, {literal(stats['pattern'])})"
    if check == "str_startswith":
        return f"starts_with({column}, {literal(stats['string'])})"
    if check == "str_endswith":
        return f"ends_with({column}, {literal(stats['string'])})"
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


def _describe(check: str, stats: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in stats.items() if v is not None)
    return f"{check}({shown})"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _stored_types(dtype: str) -> tuple[str, ...]:
    if dtype.startswith("datetime64"):
        return (
            "TIMESTAMP",
            "TIMESTAMP_NS",
            "TIMESTAMP_MS",
            "TIMESTAMP_S",
            "TIMESTAMP WITH TIME ZONE",
        )
    return STORED_TYPES.get(dtype, (dtype.upper(),))


def _severity(column: pa.Column) -> AssetCheckSeverity:
    wanted = str((column.metadata or {}).get("severity", "error")).upper()
    return AssetCheckSeverity.WARN if wanted == "WARN" else AssetCheckSeverity.ERROR


def _check_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)
