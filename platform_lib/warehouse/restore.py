"""Bringing a table's earlier version back, as a new version.

A restore never rewrites history: in one transaction it replaces the table with its
contents at the chosen version (``CREATE OR REPLACE TABLE t AS SELECT * FROM t AT (VERSION
=> n)``), signs the new snapshot as a restore of ``n`` keeping that version's sample, and
lets ``before_commit`` (the asset's blocking contract checks) veto it, exactly as a write.
While it reads version ``n``, the version is pinned so upkeep cannot expire it. The team's
``<team>_restore`` job and ``tailor table restore`` run it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dagster import MetadataValue

from platform_lib.environment.run_environment import ENV_TAG, SAMPLE_TAG, RunEnvironment
from platform_lib.warehouse.commits import LOCK_WAIT_SECONDS, commit_retrying
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.layout import TableLocation
from platform_lib.warehouse.metadata import materialization_metadata
from platform_lib.warehouse.records import RESTORE, WriteInfo, signed
from platform_lib.warehouse.versions import TableVersion, chosen_version, versions_of
from platform_lib.warehouse.writes import BeforeCommit, change_table, last_version

RESTORE_OP = "restore_table"
"""The op of a team's restore job, whose config names the asset and the version."""
RESTORED_FROM = "tailor/restored_from"
"""The metadata key of the version a restore brought back."""


def restore_job_name(team: str) -> str:
    """The restore job in ``team``'s code location."""
    return f"{team}_restore"


@dataclass(frozen=True)
class Restore:
    """What a restore read, and what it made: the new version and its materialization's
    metadata, or None for both when ``before_commit`` refused it (the table unchanged)."""

    source: TableVersion
    version: int | None = None
    metadata: dict | None = None

    @property
    def message(self) -> str:
        """``restored from version N (run R)``, as the materialization says it."""
        return f"restored from {self.source.describe()}"


def restore_source(location: TableLocation, label: str, to: str) -> TableVersion:
    """The version of ``location``'s table that ``to`` names (``versions.chosen_version``);
    an asset without versions, or a ``to`` naming none, is refused."""
    versions = versions_of(location, label)
    with lake_connection(location.lake, read_only=True) as reader:
        return chosen_version(reader, location.table, versions, to, label)


def restore_table(
    location: TableLocation,
    label: str,
    to: str,
    run_id: str,
    *,
    before_commit: BeforeCommit | None = None,
    descriptions: Mapping[str, str] | None = None,
    wait_seconds: float = LOCK_WAIT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
) -> Restore:
    """Restore ``location``'s table (of the asset ``label``) to the version ``to`` names
    (``versions.chosen_version``), for run ``run_id``, as a new version; refuses an unknown
    version, naming the table's versions."""
    environment = RunEnvironment.current()
    source = restore_source(location, label, to)
    written = source.record
    info = WriteInfo(
        table=location.table,
        sample_by=written.sample_by if written else None,
        sample=written.sample if written else "full",
        sample_seed=written.sample_seed if written else "",
        environment=environment.name,
        run_id=run_id,
        action=RESTORE,
        restored_from=source.version,
        reads=written.reads if written else None,  # the restored table reads what it read then
    )
    table = location.sql
    with (
        location.lake.pin(source.version),
        lake_connection(location.lake, read_only=False, wait_seconds=wait_seconds) as connection,
    ):

        def change() -> None:
            connection.execute(
                f"CREATE OR REPLACE TABLE {table} AS "
                f"SELECT * FROM {table} AT (VERSION => {int(source.version)})"
            )

        committed = commit_retrying(
            location.lake,
            lambda: change_table(
                connection, location, change, signed(info, environment.user, before_commit)
            ),
            wait_seconds=wait_seconds,
            on_wait=on_wait,
        )
        if not committed:
            return Restore(source)
        version = last_version(connection)
        metadata = materialization_metadata(connection, location, version, descriptions)
    metadata[RESTORED_FROM] = MetadataValue.int(source.version)
    labels = {ENV_TAG: environment.name, SAMPLE_TAG: info.sample}
    return Restore(source, version, {**metadata, **labels})
