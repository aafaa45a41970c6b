"""A table's versions as a scientist sees them, and which one a restore's ``--to`` names.

A version is a snapshot of the team's lake that Tailor signed for the table (a write or a
restore, ``records``): its number, when, which run, by whom in which environment, and the
rows the table held then. ``tailor table history`` lists them newest first; a restore's
``to`` names one by its number, by the run that wrote it (its id, or the first 8 characters
the UI shows), or by a time (the version current then). Versions older than the lake's
retention are expired and no longer listed or readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import AssetKey

from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.errors import WarehouseError, did_you_mean
from platform_lib.sql import quote_identifier, quote_literal
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.layout import TableLocation, in_sandbox, table_for
from platform_lib.warehouse.missing_input import known_asset_labels
from platform_lib.warehouse.records import RESTORE, TableRecord, table_history
from platform_lib.wording import counted

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

SHORT_RUN_ID = 8
"""The characters of a run id the UI shows, enough to name a run."""
LISTED = 5
"""Versions an error lists (``tailor table history`` shows them all)."""


@dataclass(frozen=True)
class TableVersion:
    """One version of a table: the snapshot ``version`` and the signed record of what
    wrote its contents (None for contents no Tailor write signed)."""

    version: int
    rows: int
    record: TableRecord | None

    def describe(self) -> str:
        """``version 7 (run 1a2b3c4d)``, as a restore's message names it."""
        run = f" (run {self.record.run_id})" if self.record and self.record.run_id else ""
        return f"version {self.version}{run}"

    def as_row(self) -> dict:
        """The version as ``tailor table history`` prints it."""
        record = self.record
        action = record.action if record else None
        if record and record.action == RESTORE:
            action = f"restored from {record.restored_from}"
        return {
            "version": self.version,
            "time": record.written_at if record else None,
            "run_id": record.run_id if record else None,
            "rows": self.rows,
            "author": record.author if record else None,
            "environment": record.environment if record else None,
            "action": action,
            "sample": record.sample if record else None,
        }


def asset_table(label: str, root: Path) -> TableLocation:
    """The table of the asset ``label`` (``team/name``) this process's run environment
    writes: its team's, or the person's sandbox's in dev."""
    environment = RunEnvironment.current()
    team, _, name = label.partition("/")
    if not team or not name or "/" in name:
        raise WarehouseError(f"{label!r} is not an asset; name it as team/name.")
    location = table_for(AssetKey([team, name]), root)
    return in_sandbox(location, environment.sandbox(team)) if environment.is_dev else location


def versions_of(location: TableLocation, label: str) -> list[TableVersion]:
    """Every version of ``location``'s table still kept, newest first; an asset with none
    is told apart from one that does not exist ("did you mean")."""
    versions = []
    if location.lake.exists():
        with lake_connection(location.lake, read_only=True) as connection:
            versions = table_versions(connection, location.table)
    if not versions:
        raise _no_versions(label, location)
    return versions


def table_versions(connection: duckdb.DuckDBPyConnection, table: str) -> list[TableVersion]:
    """The signed versions of ``table`` in the connection's lake, newest first."""
    return [
        TableVersion(record.version, _rows_at(connection, table, record.version), record)
        for record in reversed(table_history(connection, table))
    ]


def chosen_version(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    versions: list[TableVersion],
    to: str,
    label: str,
) -> TableVersion:
    """The version ``to`` names: a version number, a run id (or its first 8 characters),
    or an ISO 8601 time (the version current then; UTC unless it says otherwise)."""
    text = to.strip()
    named = [v for v in versions if _run_matches(v.record.run_id, text)]
    if text.isdigit() and not (len(text) >= SHORT_RUN_ID and named):  # a run id can be digits
        return _numbered(connection, table, versions, int(text), label)
    moment = _moment(text)
    if moment is not None:
        earlier = [v for v in versions if v.record.written_at <= moment]
        if not earlier:
            oldest = versions[-1]
            problem = (
                f"no version of it at or before {moment:%Y-%m-%d %H:%M:%S %Z} is kept (the "
                f"oldest kept is {oldest.version}, of {oldest.record.written_at:%Y-%m-%d %H:%M:%S})"
            )
            raise _not_found(label, problem, versions)
        return earlier[0]
    runs = {v.record.run_id for v in named}
    if not named:
        raise _not_found(label, f"no version of it was written by run {text!r}", versions)
    if len(runs) > 1:
        raise _not_found(label, f"{text!r} starts {len(runs)} runs' ids; give more of it", versions)
    return named[0]


def _numbered(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    versions: list[TableVersion],
    version: int,
    label: str,
) -> TableVersion:
    """Version ``version`` of the lake, which must still be kept and hold the table; its
    contents are those of the table's latest signed version at or before it."""
    lake = connection.execute("SELECT current_database()").fetchall()[0][0]
    kept = {
        row[0]
        for row in connection.execute(
            f"SELECT snapshot_id FROM ducklake_snapshots({quote_literal(lake)})"
        ).fetchall()
    }
    if version not in kept:
        latest = max(kept)
        problem = (
            f"version {version} does not exist yet (the lake's latest is {latest})"
            if version > latest
            else f"version {version} was expired (older than the lake's retention) and its "
            "files removed"
        )
        raise _not_found(label, problem, versions)
    written = next((v for v in versions if v.version <= version), None)
    rows = _rows_at(connection, table, version)
    if rows is None:
        raise _not_found(label, f"the table did not exist at version {version}", versions)
    return TableVersion(version, rows, written.record if written else None)


def _rows_at(connection: duckdb.DuckDBPyConnection, table: str, version: int) -> int | None:
    """The table's rows at ``version``; None when it did not exist then."""
    import duckdb

    try:
        query = f"SELECT count(*) FROM {quote_identifier(table)} AT (VERSION => {int(version)})"
        return connection.execute(query).fetchall()[0][0]
    except duckdb.CatalogException:
        return None


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _run_matches(run_id: str, text: str) -> bool:
    return run_id == text or (len(text) >= SHORT_RUN_ID and run_id.startswith(text))


def _not_found(label: str, problem: str, versions: list[TableVersion]) -> WarehouseError:
    listed = "; ".join(
        f"{v.version} ({v.record.written_at:%Y-%m-%d %H:%M:%S}, "
        f"run {v.record.run_id[:SHORT_RUN_ID]}, {counted(v.rows, 'row')})"
        for v in versions[:LISTED]
    )
    more = f" and {len(versions) - LISTED} older" if len(versions) > LISTED else ""
    return WarehouseError(
        f"Cannot restore {label}: {problem}. Its versions, newest first: {listed}{more}.",
        f"`tailor table history {label}` lists them; restore with --to VERSION, RUN_ID or "
        "an ISO time",
    )


def _no_versions(label: str, location: TableLocation) -> WarehouseError:
    known = known_asset_labels(location.warehouse, None)
    where = f"your sandbox {location.sandbox}" if location.sandbox else "production"
    if label in known:
        return WarehouseError(
            f"Asset {label} has no versions in {where} ({location.lake}): it was never "
            "materialized there.",
            f"materialize {label}; every write is a version",
        )
    suggestion = did_you_mean(label, known)
    return WarehouseError(
        f"Asset {label} does not exist: no environment of the warehouse holds its table."
        f"{suggestion}",
        "tailor list shows every team's assets",
    )
