"""A person's sandboxes: what they hold, how a table differs from production, removal.

The logic behind ``tailor sandbox``. A sandbox is the database a dev run writes a team's
tables to (``<warehouse>/sandboxes/<team>__dev_<user>.duckdb``, see ``run_environment``).
Everything here reads production read-only; only ``drop`` changes anything, and only
sandboxes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import AssetKey

from platform_lib.duckdb_connection import warehouse_connection
from platform_lib.errors import TailorError
from platform_lib.sampling import Sampling
from platform_lib.sql import quote_identifier
from platform_lib.table_catalog import TableRecord, table_records
from platform_lib.warehouse_layout import (
    SANDBOX_MARK,
    TableLocation,
    in_sandbox,
    sandbox_databases,
    sandbox_name,
    table_for,
)

if TYPE_CHECKING:  # duckdb is imported when a command needs it
    import duckdb

PROMOTION = """\
Sandboxes are never copied into production, so nothing was promoted.

A production table changes only through a normal run in prod, from production inputs and
checked by its contract. To put your change there:
  1. see what will change:      tailor sandbox diff {asset}
  2. merge your code, so the prod deployment runs it;
  3. materialize {asset} in prod: from the UI of the deployment (TAILOR_ENV unset, no
     TAILOR_SAMPLE), or let its schedule run it.
"""


def sandbox_tables(root: Path, user: str) -> list[dict]:
    """Every table in ``user``'s sandboxes: rows, the sample it was made from, when."""
    rows = []
    for sandbox, path in sandbox_databases(root, user).items():
        with warehouse_connection(path, read_only=True) as connection:
            records = table_records(connection)
            for (table,) in connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "AND schema_name = 'main' "
                "ORDER BY table_name"
            ).fetchall():
                record = records.get(table)
                count = connection.execute(f"SELECT count(*) FROM {quote_identifier(table)}")
                rows.append(
                    {
                        "sandbox": sandbox,
                        "asset": f"{sandbox.split(SANDBOX_MARK)[0]}/{table}",
                        "rows": count.fetchall()[0][0],
                        "sample": record.sample if record else "unknown",
                        "written_at": f"{record.written_at:%Y-%m-%d %H:%M}" if record else "",
                    }
                )
    return rows


def drop_sandboxes(root: Path, user: str, team: str | None = None) -> list[Path]:
    """Delete ``user``'s sandboxes (of ``team`` only, if given); returns the files removed.
    If a process still has one open, none is removed and the error names it."""
    chosen = [
        path
        for sandbox, path in sandbox_databases(root, user).items()
        if not team or sandbox == sandbox_name(team, user)
    ]
    for path in chosen:  # every one free before any is removed
        with warehouse_connection(path, read_only=False, wait_seconds=5):
            pass
    for path in chosen:
        for file in (path, path.with_name(path.name + ".wal")):
            file.unlink(missing_ok=True)
    return chosen


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
        box_columns, prod_columns = _columns(connection, box_rows), _columns(connection, prod_rows)
        result = TableDiff(
            asset=asset,
            sandbox=sandbox.name,
            production=production.name,
            sample=sample,
            sandbox_rows=_count(connection, box_rows),
            production_rows=_count(connection, prod_rows),
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
    """One connection with the production and sandbox databases attached read-only, and
    the sandbox's record of the table."""
    import duckdb

    for location, where in ((sandbox, "your sandbox"), (production, "production")):
        if not location.database.exists():
            raise TailorError(
                f"{asset} has no table in {where} ({location.database}).",
                f"materialize {asset} with TAILOR_ENV=dev first"
                if location is sandbox
                else "compare only assets that production already has",
            )
    connection = duckdb.connect()
    try:
        for name, location in (("production", production), ("sandbox", sandbox)):
            connection.execute(
                f"ATTACH ? AS {name} (READ_ONLY)", [str(location.database)]
            ).fetchall()
        yield connection, table_records(connection, "sandbox").get(sandbox.table)
    except duckdb.CatalogException as error:
        raise TailorError(
            f"{asset}: {error}", f"check that {asset} is materialized in both places"
        ) from error
    finally:
        connection.close()


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
        condition = condition.replace("?", _literal(value), 1)
    return f"{record.sample} by {record.sample_by}", f" WHERE {condition}"


def _literal(value: object) -> str:
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _columns(connection: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    described = connection.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return {name: kind for name, kind, *_ in described}


def _count(connection: duckdb.DuckDBPyConnection, relation: str) -> int:
    return connection.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]


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
