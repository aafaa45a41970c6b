"""A pandera ``DataFrameModel`` read as a list of rules, each one Dagster asset check.

Every column rule becomes its own rule (``client_id_unique``, ``keep_rate_in_range``, ...);
the table-level rules (required columns, ``Config.unique``, ``Config.strict``) are one rule,
``table_rules``. A rule with a SQL meaning carries a predicate that selects its *failing* rows,
so the warehouse can count them without loading the table; any other rule (a custom
``@pa.check``, ``@pa.dataframe_check``, index rules, values SQL cannot spell) falls back to
pandera on the frame, and so does a SQL rule whose query fails.

Severity is ERROR unless the field says ``metadata={"severity": "warn"}``. pandera features
the platform cannot honour (``coerce``, regex column names, ``strict="filter"``, grouped
checks) are refused when the code location loads, never silently ignored.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandera.pandas as pa
from dagster import AssetCheckSeverity

from platform_lib.contracts.pandera_sql import (
    UNTYPED_DTYPES,
    describe_check,
    sql_condition,
    stored_types,
)
from platform_lib.errors import TeamConventionError
from platform_lib.sql import quote_identifier

TABLE_RULES = "table_rules"
TABLE = "__tailor_table__"  # replaced by the checked table's name in failing-row SQL
SEVERITIES = {"error": AssetCheckSeverity.ERROR, "warn": AssetCheckSeverity.WARN}


@dataclass(frozen=True)
class Rule:
    """One check of a contract."""

    name: str
    """The asset check's name, e.g. ``client_id_unique``."""
    description: str
    severity: AssetCheckSeverity
    column: str | None = None
    """The column the rule is about; None for the table-level rules."""
    kind: str = "table"
    """What the rule is: ``table``, ``dtype``, ``not_null``, ``unique``, a pandera check name,
    ``sql`` (a custom SQL check) or ``dataframe`` (a pandera dataframe check)."""
    failing_rows_sql: str | None = None
    """A condition true for each row that breaks the rule, or None when SQL cannot say it."""
    violations_sql: str | None = None
    """A cheaper aggregate that is 0 exactly when the rule holds (``count(x) - count(DISTINCT
    x)`` for uniqueness); the failing rows are then counted only when it is not."""
    pandera_schema: pa.DataFrameSchema | None = None
    """The rule alone as a pandera schema, validated on the frame when SQL cannot say it (or
    when its SQL fails)."""
    dtype: str | None = None
    """For dtype rules: the column's dtype as the contract names it (``int64``)."""
    expected_type: tuple[str, ...] | None = None
    """For dtype rules: the stored types that satisfy it; the first is the one values must
    convert to."""
    required_columns: tuple[str, ...] = field(default_factory=tuple)
    """For the table rule: the columns the table must have."""
    strict_columns: bool = False
    """For the table rule: whether columns outside the contract are refused."""
    optional: bool = False
    """For column rules: the column may be absent (``Field(required=False)``)."""

    @property
    def runs_in_warehouse(self) -> bool:
        return self.failing_rows_sql is not None or self.kind in ("table", "dtype")


def rules_from_contract(
    contract: type[pa.DataFrameModel] | None, sql_checks: dict[str, str] | None = None
) -> list[Rule]:
    """The rules of ``contract`` (if any), plus ``sql_checks`` (name -> a SQL condition every
    row must satisfy, e.g. ``{"refunds_are_negative": "kind <> 'refund' OR amount < 0"}``)."""
    schema = contract.to_schema() if contract is not None else pa.DataFrameSchema()
    _refuse_unsupported(contract, schema)
    rules = [_table_rule(schema)] if contract is not None else []
    for name, column in schema.columns.items():
        rules += _column_rules(name, column)
    if schema.index is not None:
        rules.append(
            Rule(
                name="index_rules",
                description="The frame's index follows the contract (pandera)",
                severity=AssetCheckSeverity.ERROR,
                kind="index",
                pandera_schema=pa.DataFrameSchema(index=schema.index),
            )
        )
    for name, condition in (sql_checks or {}).items():
        rules.append(
            Rule(
                name=_check_name(name),
                description=f"Every row satisfies: {condition}",
                severity=AssetCheckSeverity.ERROR,
                kind="sql",
                failing_rows_sql=f"NOT coalesce(({condition}), false)",
            )
        )
    for check in schema.checks:
        rules.append(
            Rule(
                name=_check_name(f"table_{check.name}"),
                description=f"Table check {check.name} (pandera)",
                severity=AssetCheckSeverity.ERROR,
                kind="dataframe",
                pandera_schema=pa.DataFrameSchema(checks=[check]),
            )
        )
    _refuse_name_collisions(contract, rules)
    return rules


def _refuse_unsupported(contract: Any, schema: pa.DataFrameSchema) -> None:
    where = getattr(contract, "__qualname__", "the contract")
    problems = []
    if schema.coerce or any(column.coerce for column in schema.columns.values()):
        problems.append("coerce=True (cast the columns in the asset instead)")
    if schema.strict == "filter":
        problems.append('strict="filter" (select the columns in the asset instead)')
    for name, column in schema.columns.items():
        if column.regex:
            problems.append(f"regex column {name!r} (name each column)")
        severity = str((column.metadata or {}).get("severity", "error")).lower()
        if severity not in SEVERITIES:
            problems.append(f"severity {severity!r} on {name!r} (use 'error' or 'warn')")
        problems += [
            f"grouped check {check.name!r} on {name!r}" for check in column.checks if check.groupby
        ]
    if problems:
        raise TeamConventionError(
            f"Contract {where} uses what the platform cannot check faithfully: "
            f"{'; '.join(problems)}."
        )


def _refuse_name_collisions(contract: Any, rules: list[Rule]) -> None:
    repeated = [name for name, count in Counter(rule.name for rule in rules).items() if count > 1]
    if repeated:
        raise TeamConventionError(
            f"Contract {getattr(contract, '__qualname__', '')} gives several checks the same "
            f"name {repeated}: two columns (or a column and a sql_check) differ only in "
            "characters a check name cannot hold. Rename one of them."
        )


def _table_rule(schema: pa.DataFrameSchema) -> Rule:
    unique_sets = schema.unique or []
    columns = [quote_identifier(name) for name in unique_sets]
    required = tuple(name for name, column in schema.columns.items() if column.required)
    failing = violations = None
    description = f"Has the contract's columns ({', '.join(required)})"
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
        required_columns=required,
        strict_columns=bool(schema.strict),
    )


def _column_rules(name: str, column: pa.Column) -> list[Rule]:
    severity = SEVERITIES[str((column.metadata or {}).get("severity", "error")).lower()]
    quoted = quote_identifier(name)
    optional = not column.required

    def rule(kind: str, description: str, **how: Any) -> Rule:
        rule_name = _check_name(f"{name}_{kind}")
        return Rule(rule_name, description, severity, name, kind, optional=optional, **how)

    rules = []
    dtype = str(column.dtype) if column.dtype is not None else None
    if dtype is not None and dtype not in UNTYPED_DTYPES:
        rules.append(
            rule(
                "dtype", f"{name} has type {dtype}", dtype=dtype, expected_type=stored_types(dtype)
            )
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
        alone = pa.DataFrameSchema({name: pa.Column(checks=[check], nullable=True, required=False)})
        condition = sql_condition(quoted, check.name, check.statistics)
        if condition is None:
            description = f"{name}: {check.name} (pandera)"
            rules.append(rule(check.name, description, pandera_schema=alone))
            continue
        # a null is the not-null rule's business, unless the check says ignore_na=False
        skip_nulls = f"{quoted} IS NOT NULL AND " if check.ignore_na else f"{quoted} IS NULL OR "
        rules.append(
            rule(
                check.name,
                f"{name}: {describe_check(check.name, check.statistics)}",
                failing_rows_sql=f"{skip_nulls}NOT ({condition})",
                pandera_schema=alone,
            )
        )
    return rules


def _check_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)
