"""Reading the past: which snapshot of each team's lake a moment (``environment.as_of``)
reads.

- A time reads each lake at its last version begun by then: DuckLake stamps a snapshot with
  the time its transaction began, so a version is taken only when it and every version before
  it began by then (a version begun later committed later).
- A run id reads each lake it wrote at the last version it signed there (``records``), and
  every other lake as of the time that last write began: the run's inputs and outputs as it
  left them.
- A team's version reads that lake at exactly that version, the other lakes as of its time.

Tailor picks the version itself, never DuckLake's ``SNAPSHOT_TIME``, which on a lake whose old
versions upkeep expired would silently read an older one: a moment where versions were
expired is refused, as is a time before a lake existed or in the future.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lib.environment.as_of import AsOf
from platform_lib.errors import WarehouseError
from platform_lib.sql import quote_literal
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.lake import Lake
from platform_lib.warehouse.layout import team_lakes
from platform_lib.warehouse.records import table_history

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

RUN_IDS_ARE = (
    "Run ids are on the UI's Runs page (the whole id is in a run's address) and in "
    "`tailor table history TEAM/ASSET`"
)


class BeforeTheLake(WarehouseError):
    """A moment before a team's lake existed: it held no table then."""

    def __init__(self, message: str, created: datetime):
        super().__init__(message)
        self.created = created


@dataclass(frozen=True)
class Moment:
    """An ``AsOf`` resolved against the warehouse: a time, and the lakes read at an exact
    version whatever the time."""

    as_of: AsOf
    time: datetime
    exact: dict[str, int] = field(default_factory=dict)
    """Version by team."""
    _found: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def version_of(self, team: str, lake: Lake, reading: str) -> int:
        """The version of ``team``'s lake ``lake`` read at this moment,
        found once; ``reading`` (``merchandising/inventory``, ``Team 'styling''s tables``)
        names what is read in errors. Raises ``BeforeTheLake`` when the lake did not exist
        yet."""
        if team in self.exact:
            return self.exact[team]
        if team not in self._found:
            with lake_connection(lake, read_only=True) as connection:
                times = snapshot_times(connection)
            says = f"{reading} as of {self.as_of.says()}"
            self._found[team] = _version_at(times, self.time, says, team)
        return self._found[team]


def resolve(as_of: AsOf, root: Path) -> Moment:
    """The moment ``as_of`` names in the warehouse under ``root`` (its production lakes)."""
    lakes = team_lakes(root)
    if as_of.time is not None:
        if as_of.time > datetime.now(UTC):
            raise WarehouseError(
                f"as of {as_of.says()} is in the future; read the tables as they are "
                "(no as_of, TAILOR_AS_OF unset) or name a past moment."
            )
        return Moment(as_of, as_of.time)
    if as_of.run_id is not None:
        return _run_moment(as_of, lakes, root)
    if as_of.team not in lakes:
        raise WarehouseError(
            f"as of {as_of.says()}: the warehouse ({root}) has no lake of team {as_of.team!r}; "
            f"its teams are {sorted(lakes)}."
        )
    with lake_connection(lakes[as_of.team], read_only=True) as connection:
        times = snapshot_times(connection)
    if as_of.version not in times:
        latest, oldest = max(times), min(times)
        why = (
            f"the latest is {latest}"
            if as_of.version > latest
            else f"it was expired by upkeep; the oldest version kept is {oldest}"
        )
        raise WarehouseError(
            f"Team {as_of.team!r}'s lake has no version {as_of.version}: {why} "
            f"(`tailor table history {as_of.team}/ASSET` lists a table's versions)."
        )
    return Moment(as_of, times[as_of.version], {as_of.team: as_of.version})


def lake_versions(as_of: AsOf, root: Path) -> dict[str, int]:
    """The version of each production lake under ``root`` read as of ``as_of``, by team; a
    lake that did not exist yet then is left out (it held no table)."""
    moment, versions, before = resolve(as_of, root), {}, []
    for team, lake in team_lakes(root).items():
        try:
            versions[team] = moment.version_of(team, lake, f"Team {team!r}'s tables")
        except BeforeTheLake as error:
            before.append(error.created)
    if not versions:
        first = f" (the first was created at {_when(min(before))})" if before else ""
        raise WarehouseError(
            f"The warehouse ({root}) cannot be read as of {as_of.says()}: no team's lake "
            f"existed yet then{first}. Name a later moment."
        )
    return versions


def snapshot_times(
    connection: duckdb.DuckDBPyConnection, database: str | None = None
) -> dict[int, datetime]:
    """When each version the connection's lake (or the attached lake ``database``) keeps
    began, by version (expired versions are gone)."""
    lake = quote_literal(database) if database else "current_database()"
    rows = connection.execute(
        f"SELECT snapshot_id, snapshot_time FROM ducklake_snapshots({lake}) ORDER BY 1"
    ).fetchall()
    return dict(rows)


def _run_moment(as_of: AsOf, lakes: dict[str, Lake], root: Path) -> Moment:
    """The lakes ``as_of.run_id`` wrote at its last version there; the time of its last
    write."""
    last = {}
    for team, lake in lakes.items():
        with lake_connection(lake, read_only=True) as connection:
            written = [r for r in table_history(connection) if r.run_id == as_of.run_id]
        if written:
            last[team] = max(written, key=lambda record: record.version)
    if not last:
        raise WarehouseError(
            f"No production table of the warehouse ({root}) was written by run "
            f"{as_of.run_id}, so nothing can be read as of it. {RUN_IDS_ARE}; a run that "
            "wrote no table, only a sandbox, or whose versions were expired has none here."
        )
    time = max(record.written_at for record in last.values())
    return Moment(as_of, time, {team: record.version for team, record in last.items()})


def _version_at(times: dict[int, datetime], time: datetime, reading: str, team: str) -> int:
    """The last version of ``times`` that, with every version before it, began by ``time``."""
    versions = sorted(times)
    if times[versions[0]] > time:
        first = f"version {versions[0]}, from {_when(times[versions[0]])}"
        if versions[0] == 0:
            raise BeforeTheLake(
                f"{reading} cannot be read: team {team!r}'s lake did not exist yet then (its "
                f"first {first}). Name a later moment.",
                times[0],
            )
        raise WarehouseError(
            f"{reading} cannot be read: team {team!r}'s lake keeps versions from {first} on; "
            "older ones were expired by upkeep. Name a later moment."
        )
    index = 0
    while index + 1 < len(versions) and times[versions[index + 1]] <= time:
        index += 1
    version = versions[index]
    following = versions[index + 1] if index + 1 < len(versions) else None
    if following is not None and following != version + 1:
        raise WarehouseError(
            f"{reading} cannot be read: team {team!r}'s lake no longer keeps its versions "
            f"between {version} ({_when(times[version])}) and {following} "
            f"({_when(times[following])}), expired by upkeep. Name a moment a kept version "
            "holds (`tailor table history` lists them)."
        )
    return version


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
