"""Moving the DuckDB-file warehouse into the lake: ``tailor warehouse migrate``.

Before the lake, each team's tables lived in ``<warehouse>/<team>.duckdb`` (a person's
sandbox in ``sandboxes/<team>__dev_<user>.duckdb``), with the record of each write in the
file's ``tailor.tables``. Migrating copies every table of such a file, every row and column
type, into the lake of the same name, each table in one snapshot signed with its old record
(action ``migrate``). The old files are only read and stay in place until their owner deletes
them. A table already in the lake is skipped when it was migrated before or holds the same
rows; one holding other rows is a conflict, and then nothing at all is migrated.

The lake has no ENUM type: a pandas categorical, which the old warehouse stored as an ENUM,
becomes VARCHAR (its values unchanged).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.errors import WarehouseError
from platform_lib.sql import quote_identifier, quote_literal, table_exists
from platform_lib.warehouse.commits import commit_retrying
from platform_lib.warehouse.connection import lake_connection, warehouse_instance
from platform_lib.warehouse.file_lake import FileLake
from platform_lib.warehouse.layout import CATALOG_SUFFIX, SANDBOX_FOLDER
from platform_lib.warehouse.records import WriteInfo, sign_write, table_history
from platform_lib.warehouse.writes import rollback

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

OLD_SUFFIX = ".duckdb"
MIGRATE = "migrate"
"""The action of the snapshot a migrated table starts its history with."""
OLD_RECORDS = "tailor.tables"
_RECORD_COLUMNS = ("sample_by", "sample", "sample_seed", "environment", "run_id")
_aliases = itertools.count()


@dataclass
class MigrationReport:
    """What ``migrate_warehouse`` did: the tables moved and those already in the lake (as
    ``lake.table``), and the old files, left in place."""

    migrated: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    retyped: list[str] = field(default_factory=list)
    """Columns stored with another type (an ENUM as VARCHAR), as ``lake.table.column``."""
    old_files: list[Path] = field(default_factory=list)


def old_files(root: Path) -> dict[Path, Path]:
    """Each DuckDB file of the old layout in the warehouse folder ``root``, with the catalog
    of the lake it moves into (beside it, named alike)."""
    found = [
        *sorted(root.glob(f"*{OLD_SUFFIX}")),
        *sorted((root / SANDBOX_FOLDER).glob(f"*{OLD_SUFFIX}")),
    ]
    return {path: path.with_suffix(CATALOG_SUFFIX) for path in found if path.is_file()}


def unmigrated_files(root: Path) -> list[Path]:
    """The old layout's files whose lake does not exist yet: ``tailor warehouse migrate``
    is still to run."""
    return [old for old, catalog in old_files(root).items() if not catalog.exists()]


def migrate_warehouse(root: Path, say: Callable[[str], None] = lambda _: None) -> MigrationReport:
    """Move every table of the old layout's files in ``root`` into the lakes; ``say`` hears
    each step. Refused, with nothing written, when a lake holds one of the tables with
    other rows, or when a file cannot be read."""
    files = old_files(root)
    report = MigrationReport(old_files=list(files))
    plans = {old: _plan(old, catalog) for old, catalog in files.items()}
    conflicts = [conflict for plan in plans.values() for conflict in plan.conflicts]
    if conflicts:
        raise WarehouseError(
            f"Nothing was migrated: {'; '.join(conflicts)}. Keep the table you want: delete "
            "or rename the lake's table (or the old file), then run tailor warehouse migrate "
            "again."
        )
    author = RunEnvironment.current().user
    for old, catalog in files.items():
        plan = plans[old]
        report.already += [f"{catalog.stem}.{table}" for table in plan.already]
        for table in plan.tables:
            _copy(old, catalog, table, plan.records.get(table), author)
            report.migrated.append(f"{catalog.stem}.{table}")
            say(f"{old.name}: {table} -> lake {catalog.stem} ({catalog})")
        report.retyped += [f"{catalog.stem}.{name}" for name in plan.retyped]
    return report


@dataclass
class _Plan:
    """What migrating one old file will do."""

    tables: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    retyped: list[str] = field(default_factory=list)
    records: dict[str, dict] = field(default_factory=dict)


def _plan(old: Path, catalog: Path) -> _Plan:
    plan, exists = _Plan(), catalog.is_file()  # a lake is created only to migrate into it
    lake = lake_connection(FileLake(catalog), read_only=True) if exists else _no_lake()
    with _beside(old, lake) as (connection, alias):
        plan.records = _old_records(connection, alias)
        history = table_history(connection) if exists else []
        migrated = {record.table for record in history if record.action == MIGRATE}
        for table in _old_tables(connection, alias):
            columns = _columns(connection, alias, table)
            plan.retyped += [f"{table}.{name}" for name, kind in columns if kind.startswith("ENUM")]
            if not (exists and table_exists(connection, table)):
                plan.tables.append(table)
            elif table in migrated or _same_rows(connection, alias, table, columns):
                plan.already.append(table)
            else:
                plan.conflicts.append(
                    f"the lake {catalog.stem} ({catalog}) already has a table {table} with "
                    f"other rows or columns than {table} in {old}"
                )
    return plan


def _copy(old: Path, catalog: Path, table: str, record: dict | None, author: str) -> None:
    """Copy ``table`` into the lake in one snapshot, signed with its old record."""
    record = record or {}
    sandbox = catalog.parent.name == SANDBOX_FOLDER
    info = WriteInfo(
        table=table,
        sample_by=record.get("sample_by"),
        sample=record.get("sample") or "full",
        sample_seed=str(record.get("sample_seed") or ""),
        environment=record.get("environment") or ("dev" if sandbox else "prod"),
        run_id=record.get("run_id") or "",
        action=MIGRATE,
    )
    with _beside(old, lake_connection(FileLake(catalog), read_only=False)) as (
        connection,
        alias,
    ):
        selected = _selected(_columns(connection, alias, table))
        source = f"{alias}.main.{quote_identifier(table)}"

        def transaction() -> None:
            connection.execute("BEGIN TRANSACTION")
            try:
                connection.execute(
                    f"CREATE TABLE {quote_identifier(table)} AS SELECT {selected} FROM {source}"
                )
                sign_write(connection, info, author)
                connection.execute("COMMIT")
            except BaseException:
                rollback(connection)
                raise

        try:
            commit_retrying(FileLake(catalog), transaction)
        except Exception as error:
            if isinstance(error, WarehouseError):
                raise
            raise WarehouseError(
                f"Migrating {table} from {old} into the lake {catalog.stem} failed, nothing of "
                f"it was written: {str(error).splitlines()[0]}."
            ) from error


@contextmanager
def _beside(old: Path, lake) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """The connection of ``lake`` (a context manager, usually ``lake_connection``) with the
    old file attached read-only beside it under an alias of its own."""
    import duckdb

    alias = f"tailor_old_{next(_aliases)}"
    with lake as connection:
        try:
            connection.execute(f"ATTACH {quote_literal(str(old))} AS {alias} (READ_ONLY)")
        except duckdb.Error as error:
            raise _unreadable(old, error) from error
        try:
            yield connection, alias
        finally:
            connection.execute(f"DETACH {alias}")


@contextmanager
def _no_lake() -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection in no lake: planning the migration into a lake that does not exist."""
    connection = warehouse_instance().cursor()
    try:
        yield connection
    finally:
        connection.close()


def _unreadable(old: Path, error: BaseException) -> WarehouseError:
    import duckdb

    said = str(error).splitlines()[0]
    if "newer version" in str(error) or "version number" in str(error):
        return WarehouseError(
            f"{old} was written by DuckDB 2.0, whose storage format this warehouse's DuckDB "
            f"{duckdb.__version__} cannot read ({said}). Nothing was migrated. Rewrite it for "
            "DuckDB 1.x with DuckDB 2.0, then migrate again: python3 -m venv /tmp/duckdb2 && "
            "/tmp/duckdb2/bin/pip install 'duckdb==2.0.1' && /tmp/duckdb2/bin/python "
            f"scripts/duckdb_file_for_1x.py {old}"
        )
    if "lock" in str(error):
        return WarehouseError(
            f"{old} is held open by another process ({said}): stop it (a make dev or a "
            "notebook of the old warehouse), then run tailor warehouse migrate again. Nothing "
            "was migrated."
        )
    return WarehouseError(
        f"{old} could not be read as a DuckDB file: {said}. Nothing was migrated; if it is "
        "not a warehouse file, move it out of the warehouse folder."
    )


def _old_tables(connection: duckdb.DuckDBPyConnection, alias: str) -> list[str]:
    rows = connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
        "ORDER BY table_name",
        [alias],
    ).fetchall()
    return [name for (name,) in rows]


def _old_records(connection: duckdb.DuckDBPyConnection, alias: str) -> dict[str, dict]:
    """The old file's record of each table (``tailor.tables``), by table."""
    if not table_exists(connection, "tables", schema="tailor", database=alias):
        return {}
    listed = ", ".join(("table_name", *_RECORD_COLUMNS))
    rows = connection.execute(f"SELECT {listed} FROM {alias}.{OLD_RECORDS}").fetchall()
    return {row[0]: dict(zip(_RECORD_COLUMNS, row[1:], strict=True)) for row in rows}


def _columns(
    connection: duckdb.DuckDBPyConnection, alias: str, table: str
) -> list[tuple[str, str]]:
    return connection.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND "
        "schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [alias, table],
    ).fetchall()


def _selected(columns: list[tuple[str, str]]) -> str:
    """The old table's columns as the lake stores them (an ENUM as VARCHAR)."""
    return ", ".join(
        f"CAST({quote_identifier(name)} AS VARCHAR) AS {quote_identifier(name)}"
        if kind.startswith("ENUM")
        else quote_identifier(name)
        for name, kind in columns
    )


def _same_rows(
    connection: duckdb.DuckDBPyConnection, alias: str, table: str, columns: list[tuple[str, str]]
) -> bool:
    """Whether the lake's ``table`` holds the old table's columns and rows, exactly."""
    lake = connection.execute("SELECT current_database()").fetchall()[0][0]
    ours = [(name, "VARCHAR" if kind.startswith("ENUM") else kind) for name, kind in columns]
    if _columns(connection, lake, table) != ours:
        return False
    old = f"SELECT {_selected(columns)} FROM {alias}.main.{quote_identifier(table)}"
    new = f"SELECT * FROM {quote_identifier(table)}"
    differing = connection.execute(
        f"SELECT count(*) FROM (({old} EXCEPT ALL {new}) UNION ALL ({new} EXCEPT ALL {old}))"
    ).fetchall()[0][0]
    return differing == 0
