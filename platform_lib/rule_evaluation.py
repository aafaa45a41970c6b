"""Evaluating contract rules: in the warehouse by SQL, or on the frame by pandera.

Warehouse rules never load the table into pandas: every row-level rule is one
``count(*) FILTER (WHERE ...)`` of a single scan, and only a failing rule fetches a few of
its rows as a sample.
"""

from dataclasses import dataclass

import duckdb
import pandas as pd
import pandera.errors as pandera_errors
from dagster import AssetCheckResult, MetadataValue

from platform_lib.contract_rules import TABLE, TABLE_RULES, Rule
from platform_lib.sql import quote_identifier

SAMPLE_ROWS = 5
IN_WAREHOUSE = "warehouse (SQL)"
ON_FRAME = "pandas (pandera)"


@dataclass(frozen=True)
class Outcome:
    """The result of one rule on one write."""

    rule: Rule
    passed: bool
    evaluated_in: str
    failing_rows: int | None = None
    sample: pd.DataFrame | None = None
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
        rows = f"{self.failing_rows} failing row(s)" if self.failing_rows else self.detail
        return f"{self.rule.name} ({rows})"


def evaluate_in_warehouse(
    connection: duckdb.DuckDBPyConnection, table: str, rules: list[Rule]
) -> list[Outcome]:
    """Outcomes of the SQL rules on ``table`` (a quoted name readable on ``connection``)."""
    stored = {name: kind for name, kind, *_ in connection.execute(f"DESCRIBE {table}").fetchall()}
    # text where the contract wants numbers or dates: comparisons would not even run, so the
    # column's value rules report "not evaluated" and its dtype rule lists the bad rows
    mistyped = {
        rule.column: stored[rule.column]
        for rule in rules
        if rule.expected_type
        and stored.get(rule.column) == "VARCHAR"
        and "VARCHAR" not in rule.expected_type
    }
    outcomes, counted = [], []
    for rule in rules:
        if not rule.runs_in_warehouse:
            continue
        missing = _missing_columns(rule, stored)
        if missing:
            outcomes.append(
                Outcome(rule, False, IN_WAREHOUSE, detail=f"missing column(s): {missing}")
            )
        elif rule.expected_type is not None:
            outcomes.append(_type_outcome(connection, table, rule, stored[rule.column]))
        elif rule.column in mistyped and rule.name != f"{rule.column}_not_null":
            detail = f"not evaluated: {rule.column} is stored as {mistyped[rule.column]}"
            outcomes.append(Outcome(rule, False, IN_WAREHOUSE, detail=detail))
        elif rule.failing_rows_sql is not None and set(rule.required_columns) <= set(stored):
            counted.append(rule)
        else:
            outcomes.append(_table_shape_outcome(rule, stored))
    outcomes += _counted_outcomes(connection, table, counted, stored)
    return outcomes


def evaluate_on_frame(frame: pd.DataFrame, rules: list[Rule]) -> list[Outcome]:
    """Outcomes of the rules SQL cannot express, by pandera on the asset's frame."""
    outcomes = []
    for rule in rules:
        if rule.runs_in_warehouse:
            continue
        try:
            rule.pandera_schema.validate(frame, lazy=True)
            outcomes.append(Outcome(rule, True, ON_FRAME, failing_rows=0))
        except pandera_errors.SchemaErrors as errors:
            index = errors.failure_cases["index"].dropna().unique()
            sample = frame.loc[frame.index.isin(index)].head(SAMPLE_ROWS)
            outcomes.append(Outcome(rule, False, ON_FRAME, failing_rows=len(index), sample=sample))
    return outcomes


def _missing_columns(rule: Rule, stored: dict[str, str]) -> list[str]:
    needed = [rule.column] if rule.column else []
    if rule.name != TABLE_RULES:
        return [name for name in needed if name not in stored]
    return []


def _type_matches(stored_type: str, expected: tuple[str, ...]) -> bool:
    return any(stored_type.startswith(kind) for kind in expected)


def _type_outcome(
    connection: duckdb.DuckDBPyConnection, table: str, rule: Rule, stored_type: str
) -> Outcome:
    """A stored type outside the contract fails; the failing rows are those whose value does
    not even convert to the contract's type (a text value in a numeric column, say)."""
    if _type_matches(stored_type, rule.expected_type):
        return Outcome(rule, True, IN_WAREHOUSE, failing_rows=0)
    column = quote_identifier(rule.column)
    predicate = f"{column} IS NOT NULL AND TRY_CAST({column} AS {rule.expected_type[0]}) IS NULL"
    failing = connection.execute(f"SELECT count(*) FROM {table} WHERE {predicate}").fetchall()
    sample = connection.execute(
        f"SELECT * FROM {table} WHERE {predicate} LIMIT {SAMPLE_ROWS}"
    ).fetchdf()
    detail = f"stored as {stored_type}; the contract says {rule.expected_type[0]}"
    return Outcome(rule, False, IN_WAREHOUSE, failing[0][0], sample, detail)


def _table_shape_outcome(rule: Rule, stored: dict[str, str], duplicates: int = 0) -> Outcome:
    missing = [name for name in rule.required_columns if name not in stored]
    extra = [name for name in stored if name not in rule.required_columns]
    problems = []
    if missing:
        problems.append(f"missing column(s): {missing}")
    if rule.strict_columns and extra:
        problems.append(f"column(s) outside the contract: {extra}")
    if duplicates:
        problems.append(f"{duplicates} row(s) share a unique key")
    return Outcome(
        rule,
        not problems,
        IN_WAREHOUSE,
        failing_rows=duplicates,
        detail="; ".join(problems) or None,
    )


def _counted_outcomes(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    rules: list[Rule],
    stored: dict[str, str],
) -> list[Outcome]:
    if not rules:
        return []
    predicates = [rule.failing_rows_sql.replace(TABLE, table) for rule in rules]
    aggregates = [
        rule.violations_sql or f"count(*) FILTER (WHERE {predicate})"
        for rule, predicate in zip(rules, predicates, strict=True)
    ]
    counts = connection.execute(f"SELECT {', '.join(aggregates)} FROM {table}").fetchall()[0]
    outcomes = []
    for rule, predicate, count in zip(rules, predicates, counts, strict=True):
        failing, sample = count, None
        if count:
            if rule.violations_sql:  # the quick aggregate said "some": count exactly
                failing = connection.execute(
                    f"SELECT count(*) FROM {table} WHERE {predicate}"
                ).fetchall()[0][0]
            sample = connection.execute(
                f"SELECT * FROM {table} WHERE {predicate} LIMIT {SAMPLE_ROWS}"
            ).fetchdf()
        if rule.name == TABLE_RULES:
            outcome = _table_shape_outcome(rule, stored, failing)
            outcomes.append(
                Outcome(rule, outcome.passed, IN_WAREHOUSE, failing, sample, outcome.detail)
            )
        else:
            outcomes.append(Outcome(rule, failing == 0, IN_WAREHOUSE, failing, sample))
    return outcomes
