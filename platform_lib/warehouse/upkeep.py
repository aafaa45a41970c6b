"""Keeping a team's lake from growing without bound: old versions expired, their files
removed, small files merged.

Every write is a snapshot and no snapshot removes a file, so a lake only grows. Upkeep, run
daily by each team's ``<team>_lake_upkeep`` schedule, expires the snapshots older than
``retention_days``, except, for every table, its latest ``keep_versions`` versions (the
current one among them), any version pinned by a reader (``pins``) and the lake's latest
snapshot. DuckLake then schedules the files only expired snapshots read for deletion;
upkeep removes the files scheduled more than ``grace_hours`` ago and the orphaned files of
failed writes older than that (a read or a write in progress keeps its files), writes the
rows small writes left inline in the catalog out to Parquet, and merges small adjacent files.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.errors import WarehouseError
from platform_lib.settings import warehouse_dir
from platform_lib.sql import quote_literal
from platform_lib.warehouse.commits import commit_retrying
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.lake import Lake
from platform_lib.warehouse.layout import lake_of
from platform_lib.warehouse.records import table_history
from platform_lib.warehouse.writes import rollback

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb


@dataclass(frozen=True)
class LakeUpkeep:
    """How a team's lake is kept: ``team_definitions(..., upkeep=LakeUpkeep(...))``."""

    retention_days: float = 30
    """Versions older than this are expired (no longer readable, their files removed)..."""
    keep_versions: int = 5
    """...except each table's latest ``keep_versions`` versions, whatever their age."""
    grace_hours: float = 12
    """Files no snapshot needs are removed only once unneeded (or, for a failed write's
    orphans, written) this long ago, so a read or write in progress keeps its files."""
    cron: str = "15 4 * * *"
    """When the ``<team>_lake_upkeep`` schedule runs (UTC): daily by default."""

    def __post_init__(self):
        if self.retention_days < 0 or self.grace_hours < 0:
            raise WarehouseError(
                f"LakeUpkeep(retention_days={self.retention_days}, grace_hours="
                f"{self.grace_hours}): both must be zero or more (days and hours)."
            )
        if self.keep_versions < 1:
            raise WarehouseError(
                f"LakeUpkeep(keep_versions={self.keep_versions}): keep at least 1, each "
                "table's current version."
            )


@dataclass
class UpkeepReport:
    """What one upkeep of a lake did."""

    expired: list[int] = field(default_factory=list)
    """The versions (snapshot ids) expired."""
    kept_pinned: list[int] = field(default_factory=list)
    """Versions old enough to expire, kept because a reader pinned them."""
    files_removed: list[str] = field(default_factory=list)
    """Data files removed: needed by no snapshot left, or orphaned by a failed write."""
    bytes_removed: int = 0
    files_merged: int = 0
    """Small files merged into larger ones (removed by a later upkeep, after the grace)."""
    tables_flushed: int = 0
    skipped: str | None = None
    """Why nothing was done, when nothing was."""

    def describe(self) -> str:
        if self.skipped:
            return f"nothing done: {self.skipped}"
        expired = (
            f"{len(self.expired)} version(s) ({self.expired[0]} to {self.expired[-1]})"
            if self.expired
            else "no version"
        )
        pinned = (
            f" ({len(self.kept_pinned)} old pinned version(s) kept)" if self.kept_pinned else ""
        )
        return (
            f"expired {expired}{pinned}; removed {len(self.files_removed)} file(s), "
            f"{self.bytes_removed:,} bytes; merged {self.files_merged} small file(s)"
        )


def upkeep_team_lake(team: str, upkeep: LakeUpkeep) -> UpkeepReport:
    """Upkeep of ``team``'s production lake, in production runs only: a dev run writes
    only the person's sandbox."""
    if RunEnvironment.current().is_dev:
        return UpkeepReport(skipped=f"a dev run never writes {team}'s production lake")
    lake = lake_of(team, warehouse_dir())
    if not lake.exists():
        return UpkeepReport(skipped=f"{team} has no lake yet ({lake})")
    return upkeep_lake(lake, upkeep)


def upkeep_lake(lake: Lake, upkeep: LakeUpkeep, now: datetime | None = None) -> UpkeepReport:
    """Expire, remove, flush and merge in ``lake`` by ``upkeep``'s rules, as
    of ``now`` (default: the present). Each step commits on its own, retried when a writer
    of the lake commits first."""
    now = now or datetime.now(UTC)
    report = UpkeepReport()
    with lake_connection(lake, read_only=False) as connection:
        cutoff = now - timedelta(days=upkeep.retention_days)
        report.expired, report.kept_pinned = commit_retrying(
            lake, lambda: _expire(connection, lake, cutoff, upkeep.keep_versions)
        )
        report.tables_flushed = len(
            commit_retrying(lake, lambda: _call(connection, "ducklake_flush_inlined_data"))
        )
        merged = commit_retrying(lake, lambda: _call(connection, "ducklake_merge_adjacent_files"))
        report.files_merged = sum(row[2] or 0 for row in merged)
        unneeded_since = _timestamp(now - timedelta(hours=upkeep.grace_hours))
        for function in ("ducklake_cleanup_old_files", "ducklake_delete_orphaned_files"):
            sizes = _sizes(
                connection,
                [
                    path
                    for (path,) in _call(
                        connection, function, f"older_than => {unneeded_since}, dry_run => true"
                    )
                ],
            )
            removed = commit_retrying(
                lake, lambda f=function: _call(connection, f, f"older_than => {unneeded_since}")
            )
            report.files_removed += [path for (path,) in removed]
            report.bytes_removed += sum(sizes.get(path, 0) for (path,) in removed)
    return report


def _expire(
    connection: duckdb.DuckDBPyConnection, lake: Lake, cutoff: datetime, keep_versions: int
) -> tuple[list[int], list[int]]:
    """Expire the snapshots older than ``cutoff`` that no rule keeps, in one transaction;
    the versions expired, and the old ones kept only because they are pinned."""
    connection.execute("BEGIN TRANSACTION")
    try:
        alias = connection.execute("SELECT current_database()").fetchall()[0][0]
        snapshots = connection.execute(
            f"SELECT snapshot_id, snapshot_time FROM ducklake_snapshots({quote_literal(alias)}) "
            "ORDER BY snapshot_id"
        ).fetchall()
        versions: dict[str, list[int]] = defaultdict(list)
        for record in table_history(connection):
            versions[record.table].append(record.version)
        kept = {snapshots[-1][0]} if snapshots else set()
        kept.update(v for table in versions.values() for v in table[-keep_versions:])
        old = [version for version, at in snapshots if at < cutoff and version not in kept]
        pinned = lake.pinned_versions()
        expired = [version for version in old if version not in pinned]
        if expired:
            listed = ", ".join(map(str, expired))
            connection.execute(
                f"CALL ducklake_expire_snapshots({quote_literal(alias)}, versions => [{listed}])"
            )
        connection.execute("COMMIT")
    except BaseException:
        rollback(connection)
        raise
    return expired, [version for version in old if version in pinned]


def _call(connection: duckdb.DuckDBPyConnection, function: str, arguments: str = "") -> list:
    """The rows of DuckLake's maintenance ``function`` called on the connection's lake."""
    lake = connection.execute("SELECT current_database()").fetchall()[0][0]
    extra = f", {arguments}" if arguments else ""
    return connection.execute(f"CALL {function}({quote_literal(lake)}{extra})").fetchall()


def _timestamp(moment: datetime) -> str:
    return f"{quote_literal(moment.isoformat())}::TIMESTAMPTZ"


def _sizes(connection: duckdb.DuckDBPyConnection, paths: list[str]) -> dict[str, int]:
    """The sizes of the files ``paths``, on disk or on the lake's object store, through
    DuckDB's own file system (DuckLake keeps no size for a file it scheduled for deletion);
    a file already gone is left out."""
    if not paths:
        return {}
    rows = connection.execute("SELECT filename, size FROM read_blob(?::VARCHAR[])", [paths])
    return dict(rows.fetchall())
