"""Evaluating contract rules: in the warehouse by SQL, or on the frame by pandera.

Warehouse rules never load the table into pandas: every row-level rule is one aggregate of a
single scan, and only a failing rule fetches a few of its rows as a sample. Nothing here
raises a database error at a scientist: a rule whose SQL fails is evaluated by pandera on the
frame instead, or reported as failed with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import pandera.errors as pandera_errors
from dagster import AssetCheckResult, MetadataValue

from platform_lib.contracts.pandera_sql import contract_type
from platform_lib.contracts.rules import TABLE, Rule
from platform_lib.sql import ALL_NULL_TYPE, column_types, quote_identifier
from platform_lib.wording import counted

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

SAMPLE_ROWS = 5
IN_WAREHOUSE = "warehouse (SQL)"
ON_FRAME = "pandas (pandera)"
INTEGERS = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT")
FRACTIONAL = ("DOUBLE", "FLOAT", "DECIMAL")
ANY_TYPE_KINDS = ("dtype", "not_null", "unique")  # rules that work whatever the stored type


@dataclass(frozen=True)
class Outcome:
    """The result of one rule on one write."""

    rule: Rule
    passed: bool
    evaluated_in: str
    """Where it was evaluated: ``IN_WAREHOUSE`` (by SQL) or ``ON_FRAME`` (by pandera)."""
    failing_rows: int | None = None
    """How many rows break the rule; None for a verdict about the whole table."""
    sample: pd.DataFrame | None = None
    """A few of the failing rows, shown on the check in the UI."""
    detail: str | None = None

    def check_result(self) -> AssetCheckResult:
        metadata = {"evaluated_in": self.evaluated_in}
        if self.failing_rows is not None:
            metadata["failing_rows"] = MetadataValue.int(self.failing_rows)
        if self.sample is not None and len(self.sample):
            metadata["failing_rows_sample"] = MetadataValue.md(self.sample.to_markdown(index=False))
        if self.detail:
            metadata["detail"] = self.detail
        return AssetCheckResult(
            check_name=self.rule.name,
            passed=self.passed,
            severity=self.rule.severity,
            metadata=metadata,
            description=self.rule.description,
        )

    def summary(self) -> str:
        what = counted(self.failing_rows, "failing row") if self.failing_rows else None
        return f"{self.rule.name} ({what or self.detail or 'failed'})"


def evaluate_in_warehouse(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    rules: list[Rule],
    frame: pd.DataFrame | None = None,
) -> list[Outcome]:
    """Outcomes of the rules SQL can check, on ``table`` (a quoted name readable on
    ``connection``); ``frame``, when given, is where a rule whose SQL fails is re-checked."""
    stored = column_types(connection, table)
    mistyped = {
        rule.column: rule.dtype
        for rule in rules
        if rule.kind == "dtype"
        and rule.column in stored
        and not _type_matches(stored[rule.column], rule.expected_type)
    }
    outcomes, counted = [], []
    for rule in rules:
        if not rule.runs_in_warehouse:
            continue
        if rule.column is not None and rule.column not in stored:
            outcomes.append(_absent(rule))
        elif rule.kind == "dtype":
            outcomes.append(_type_outcome(connection, table, rule, stored[rule.column]))
        elif rule.column in mistyped and rule.kind not in ANY_TYPE_KINDS:
            found = contract_type(stored[rule.column])
            detail = f"not evaluated: {rule.column} has type {found}, not the contract's "
            detail += mistyped[rule.column]
            outcomes.append(Outcome(rule, False, IN_WAREHOUSE, detail=detail))
        elif rule.failing_rows_sql is not None and set(rule.required_columns) <= set(stored):
            counted.append(rule)
        else:
            outcomes.append(_table_shape_outcome(rule, stored))
    return outcomes + _counted_outcomes(connection, table, counted, stored, frame)


def evaluate_on_frame(frame: pd.DataFrame, rules: list[Rule]) -> list[Outcome]:
    """Outcomes of the rules SQL cannot express, by pandera on the asset's frame."""
    return [
        _pandera_outcome(frame, rule)
        for rule in rules
        if not rule.runs_in_warehouse and (rule.column is None or rule.column in frame.columns)
    ]


def _pandera_outcome(frame: pd.DataFrame, rule: Rule, note: str | None = None) -> Outcome:
    # by position, so repeated index labels cannot blur which rows failed
    positional = frame if rule.kind == "index" else frame.reset_index(drop=True)
    try:
        rule.pandera_schema.validate(positional, lazy=True)
        return Outcome(rule, True, ON_FRAME, failing_rows=0, detail=note)
    except pandera_errors.SchemaErrors as errors:
        cases = errors.failure_cases
        index = cases["index"].dropna().unique() if "index" in cases else []
        if not len(index):  # a whole-column or whole-table verdict: no rows to point at
            reason = "; ".join(str(case) for case in cases["failure_case"].head(3))
            return Outcome(rule, False, ON_FRAME, detail=_joined(note, reason))
        sample = positional.iloc[[int(i) for i in index[:SAMPLE_ROWS]]]
        return Outcome(rule, False, ON_FRAME, len(index), sample, note)
    except Exception as error:  # a check function that raises fails its rule, visibly
        return Outcome(rule, False, ON_FRAME, detail=_joined(note, f"the check raised {error!r}"))


def _joined(*parts: str | None) -> str:
    return "; ".join(part for part in parts if part)


def _absent(rule: Rule) -> Outcome:
    if rule.optional:
        return Outcome(rule, True, IN_WAREHOUSE, detail=f"{rule.column} is absent (optional)")
    return Outcome(rule, False, IN_WAREHOUSE, detail=f"missing column: {rule.column}")


def _type_matches(stored_type: str, expected: tuple[str, ...]) -> bool:
    return (
        stored_type == ALL_NULL_TYPE
        or stored_type in expected
        or ("ENUM" in expected and stored_type.startswith("ENUM("))
    )


def _type_outcome(
    connection: duckdb.DuckDBPyConnection, table: str, rule: Rule, stored_type: str
) -> Outcome:
    """A verdict on the column, not on rows: its type against the contract's, in the
    contract's dtype names, with how many values would not convert to the contract's type
    (or would change doing so: 1.5 in an int column) and a few of them."""
    column_values = f"SELECT count({quote_identifier(rule.column)}) FROM {table}"
    if (
        _type_matches(stored_type, rule.expected_type)
        or not connection.execute(column_values).fetchone()[0]
    ):  # a column holding no value is compatible with any type
        return Outcome(rule, True, IN_WAREHOUSE)
    column, target = quote_identifier(rule.column), rule.expected_type[0]
    predicate = f"{column} IS NOT NULL AND TRY_CAST({column} AS {target}) IS NULL"
    if stored_type.startswith(FRACTIONAL) and target in INTEGERS:
        predicate = f"{column} IS NOT NULL AND {column} <> trunc({column})"
    detail = f"{rule.column} has type {contract_type(stored_type)}; the contract says {rule.dtype}"
    import duckdb

    try:
        (unconverted,) = connection.execute(
            f"SELECT count(*) FROM {table} WHERE {predicate}"
        ).fetchone()
        examples = connection.execute(
            f"SELECT DISTINCT {column} FROM {table} WHERE {predicate} LIMIT {SAMPLE_ROWS}"
        ).fetchall()
    except duckdb.Error:
        return Outcome(rule, False, IN_WAREHOUSE, detail=detail)
    if unconverted:
        shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for (v,) in examples)
        detail += (
            f"; {counted(unconverted, 'value')} would not convert to {rule.dtype} (e.g. {shown})"
        )
    else:
        detail += f"; every value converts: cast the column to {rule.dtype} in the asset"
    return Outcome(rule, False, IN_WAREHOUSE, detail=detail)


def _table_shape_outcome(rule: Rule, stored: dict[str, str], duplicates: int = 0) -> Outcome:
    missing = [name for name in rule.required_columns if name not in stored]
    extra = [name for name in stored if name not in rule.required_columns]
    problems = []
    if missing:
        problems.append(f"missing column(s): {missing}")
    if rule.strict_columns and extra:
        problems.append(f"column(s) outside the contract: {extra}")
    if duplicates:
        problems.append(f"{counted(duplicates, 'row')} share a unique key")
    failing = duplicates if not missing else None
    return Outcome(rule, not problems, IN_WAREHOUSE, failing, detail="; ".join(problems) or None)


def _counted_outcomes(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    rules: list[Rule],
    stored: dict[str, str],
    frame: pd.DataFrame | None,
) -> list[Outcome]:
    if not rules:
        return []
    predicates = [rule.failing_rows_sql.replace(TABLE, table) for rule in rules]
    import duckdb

    aggregates = [
        rule.violations_sql or f"count(*) FILTER (WHERE {predicate})"
        for rule, predicate in zip(rules, predicates, strict=True)
    ]
    try:  # one scan for every rule
        counts = connection.execute(f"SELECT {', '.join(aggregates)} FROM {table}").fetchall()[0]
    except duckdb.Error:  # some rule's SQL does not run on this table: find which, one by one
        return [
            _single_outcome(connection, table, rule, predicate, aggregate, stored, frame)
            for rule, predicate, aggregate in zip(rules, predicates, aggregates, strict=True)
        ]
    return [
        _counted_outcome(connection, table, rule, predicate, count, stored)
        for rule, predicate, count in zip(rules, predicates, counts, strict=True)
    ]


def _single_outcome(connection, table, rule, predicate, aggregate, stored, frame) -> Outcome:
    import duckdb

    try:
        count = connection.execute(f"SELECT {aggregate} FROM {table}").fetchall()[0][0]
    except duckdb.Error as error:
        reason = f"SQL could not evaluate it ({str(error).splitlines()[0]})"
        if rule.pandera_schema is not None and frame is not None and rule.column in frame:
            return _pandera_outcome(frame, rule, note=reason)
        return Outcome(rule, False, IN_WAREHOUSE, detail=reason)
    return _counted_outcome(connection, table, rule, predicate, count, stored)


def _counted_outcome(connection, table, rule, predicate, count, stored) -> Outcome:
    failing, sample = count, None
    if count:
        if rule.violations_sql:  # the quick aggregate said "some": count exactly
            failing = connection.execute(
                f"SELECT count(*) FROM {table} WHERE {predicate}"
            ).fetchall()[0][0]
        sample = connection.execute(
            f"SELECT * FROM {table} WHERE {predicate} LIMIT {SAMPLE_ROWS}"
        ).fetchdf()
    if rule.kind == "table":
        shape = _table_shape_outcome(rule, stored, failing)
        return Outcome(rule, shape.passed, IN_WAREHOUSE, failing, sample, shape.detail)
    return Outcome(rule, failing == 0, IN_WAREHOUSE, failing, sample)
