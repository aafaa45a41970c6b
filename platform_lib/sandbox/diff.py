"""How a table in a person's sandbox differs from production (``tailor sandbox diff``).

Production and the sandbox are attached read-only side by side; a sandbox table computed
from a sample is compared with the same sample of production.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import AssetKey

from platform_lib.environment.sampling import Sampling
from platform_lib.environment.sandbox_naming import sandbox_name
from platform_lib.errors import TailorError, did_you_mean
from platform_lib.sql import column_types, quote_identifier, quote_literal, row_count, table_names
from platform_lib.warehouse.connection import connect_lakes
from platform_lib.warehouse.layout import TableLocation, in_sandbox, table_for, team_lakes
from platform_lib.warehouse.records import TableRecord, table_records

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb


@dataclass
class TableDiff:
    """How a sandbox table differs from its production table."""

    asset: str
    sandbox: str
    production: str
    sample: str
    sandbox_rows: int
    production_rows: int
    added_columns: dict[str, str] = field(default_factory=dict)
    removed_columns: dict[str, str] = field(default_factory=dict)
    retyped_columns: dict[str, str] = field(default_factory=dict)
    key: list[str] = field(default_factory=list)
    changed_keys: int = 0
    keys_only_in_sandbox: int = 0
    keys_only_in_production: int = 0
    changed_rows: list[dict] = field(default_factory=list)
    note: str = ""


def diff_table(
    root: Path, user: str, asset: str, key: list[str] | None = None, limit: int = 10
) -> TableDiff:
    """Compare ``asset`` (``team/name``) in ``user``'s sandbox with production: row counts,
    columns, and rows by ``key`` (default: the table's sample_by key). A sampled sandbox
    table is compared with the same sample of production."""
    production = table_for(AssetKey.from_user_string(asset), root)
    sandbox = in_sandbox(production, sandbox_name(production.team, user))
    with _both(production, sandbox, asset) as (connection, record):
        sample, restriction = _same_sample(record, asset)
        prod_rows = f"(SELECT * FROM production.{production.sql}{restriction})"
        box_rows = f"sandbox.{sandbox.sql}"
        box_columns = column_types(connection, box_rows)
        prod_columns = column_types(connection, prod_rows)
        result = TableDiff(
            asset=asset,
            sandbox=sandbox.name,
            production=production.name,
            sample=sample,
            sandbox_rows=row_count(connection, box_rows),
            production_rows=row_count(connection, prod_rows),
            added_columns={c: t for c, t in box_columns.items() if c not in prod_columns},
            removed_columns={c: t for c, t in prod_columns.items() if c not in box_columns},
            retyped_columns={
                c: f"{prod_columns[c]} -> {t}"
                for c, t in box_columns.items()
                if c in prod_columns and prod_columns[c] != t
            },
        )
        result.key = key or ([record.sample_by] if record and record.sample_by else [])
        missing = [c for c in result.key if c not in box_columns or c not in prod_columns]
        if not result.key or missing:
            result.note = (
                f"key column(s) {missing} are not in both tables; "
                if missing
                else "no key to compare rows by; "
            ) + "pass --key COLUMN (repeatable) to see changed rows"
            return result
        _compare_rows(connection, result, box_rows, prod_rows, box_columns, prod_columns, limit)
    return result


@contextmanager
def _both(
    production: TableLocation, sandbox: TableLocation, asset: str
) -> Iterator[tuple[duckdb.DuckDBPyConnection, TableRecord | None]]:
    """One connection with the production and sandbox lakes attached read-only, and the
    sandbox's record of the table."""
    if not production.lake.exists():
        teams = team_lakes(production.warehouse)
        raise TailorError(
            f"{asset}: production has no team {production.team!r} ({production.lake})"
            f".{did_you_mean(production.team, teams)}",
            f"give the asset as team/name; production's teams: {', '.join(teams) or 'none yet'}",
        )
    if not sandbox.lake.exists():
        raise TailorError(
            f"{asset} has no table in your sandbox ({sandbox.lake}).",
            f"materialize {asset} with TAILOR_ENV=dev first",
        )
    connection = connect_lakes({"production": production.lake, "sandbox": sandbox.lake})
    try:
        for name, location in (("production", production), ("sandbox", sandbox)):
            _require_table(connection, name, location, asset)
        yield connection, table_records(connection, "sandbox").get(sandbox.table)
    finally:
        connection.close()


def _require_table(
    connection: duckdb.DuckDBPyConnection, attached: str, location: TableLocation, asset: str
) -> None:
    """A one-line error naming ``asset`` when ``attached`` lacks its table, with the
    tables it does hold (and the closest of them)."""
    tables = table_names(connection, database=attached)
    if location.table in tables:
        return
    where = "your sandbox" if attached == "sandbox" else "production"
    assets = [f"{location.team}/{table}" for table in tables]
    raise TailorError(
        f"{asset} has no table in {where} ({location.lake}).{did_you_mean(asset, assets)}",
        f"{location.namespace} holds {', '.join(assets) or 'no table yet'}",
    )


def _same_sample(record: TableRecord | None, asset: str) -> tuple[str, str]:
    """The sandbox table's sample, and the SQL restricting production to the same rows."""
    if record is None or record.sample == "full":
        return (record.sample if record else "unknown"), ""
    sampling = Sampling.parse(record.sample, record.sample_seed)
    fraction = sampling.fraction_for(asset)
    if not (fraction and record.sample_by):
        return record.sample, ""
    condition, parameters = sampling.predicate(record.sample_by, fraction)
    for value in parameters:  # inline: the restriction is used inside other queries
        condition = condition.replace("?", quote_literal(value), 1)
    return f"{record.sample} by {record.sample_by}", f" WHERE {condition}"


def _compare_rows(
    connection: duckdb.DuckDBPyConnection,
    result: TableDiff,
    box_rows: str,
    prod_rows: str,
    box_columns: dict[str, str],
    prod_columns: dict[str, str],
    limit: int,
) -> None:
    """Rows present on one side only, over the columns both have, grouped by key: a key in
    both tables with any differing row is changed; the others are only in one table."""
    common = [c for c in box_columns if c in prod_columns]
    selected = ", ".join(
        quote_identifier(c)
        if box_columns[c] == prod_columns[c]
        else f"CAST({quote_identifier(c)} AS VARCHAR) AS {quote_identifier(c)}"
        for c in common
    )
    keys = ", ".join(quote_identifier(c) for c in result.key)
    connection.execute(
        f"CREATE TEMP TABLE only_sandbox AS SELECT {selected} FROM {box_rows} "
        f"EXCEPT ALL SELECT {selected} FROM {prod_rows}"
    )
    connection.execute(
        f"CREATE TEMP TABLE only_production AS SELECT {selected} FROM {prod_rows} "
        f"EXCEPT ALL SELECT {selected} FROM {box_rows}"
    )
    counts = connection.execute(
        f"""
        WITH box AS (SELECT DISTINCT {keys} FROM {box_rows}),
             prod AS (SELECT DISTINCT {keys} FROM {prod_rows}),
             differing AS (SELECT {keys} FROM only_sandbox UNION SELECT {keys} FROM only_production)
        SELECT
            (SELECT count(*) FROM differing SEMI JOIN box USING ({keys})
                                            SEMI JOIN prod USING ({keys})),
            (SELECT count(*) FROM box ANTI JOIN prod USING ({keys})),
            (SELECT count(*) FROM prod ANTI JOIN box USING ({keys}))
        """
    ).fetchall()[0]
    result.changed_keys, result.keys_only_in_sandbox, result.keys_only_in_production = counts
    shown = connection.execute(
        f"""
        WITH differing AS (
            SELECT {keys} FROM only_sandbox UNION SELECT {keys} FROM only_production
        ),
        changed AS (
            SELECT {keys} FROM differing
            SEMI JOIN (SELECT DISTINCT {keys} FROM {box_rows}) USING ({keys})
            SEMI JOIN (SELECT DISTINCT {keys} FROM {prod_rows}) USING ({keys})
            ORDER BY ALL LIMIT {int(limit)}
        )
        SELECT 'sandbox' AS side, * FROM only_sandbox SEMI JOIN changed USING ({keys})
        UNION ALL
        SELECT 'production' AS side, * FROM only_production SEMI JOIN changed USING ({keys})
        ORDER BY {keys}, side DESC
        """
    ).fetchdf()
    result.changed_rows = shown.astype(object).where(shown.notna(), None).to_dict("records")
