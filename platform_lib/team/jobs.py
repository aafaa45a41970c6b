"""The jobs a team declares in one line: ``TeamSchedule`` (when to materialize which of its
assets) and ``ParallelJob`` (heavy, independent assets run in parallel processes).

    TeamSchedule("nightly", cron="0 2 * * *", assets=["raw_inventory", "inventory"],
                 timezone="America/Los_Angeles")

becomes a Dagster schedule of an asset job over those assets (all of the team's when
``assets`` is None), on from the start, tagged with the team. Failed runs it launches alert
the team like any other.

Runs execute in one process by default (see ``team_definitions``): a process per step costs
over a second, which dominates a scientist's iteration. Where assets are heavy and do not
depend on each other, a team declares a parallel job instead::

    team_definitions("merchandising", assets=[...],
                     jobs=[ParallelJob("nightly_ingest", assets=["raw_inventory",
                                                                 "raw_purchase_orders"])])

Its steps run in separate processes, at most ``max_concurrent`` at once. They compute in
parallel and take turns writing: each team's tables live in one DuckDB file with a single
writer, and the warehouse waits for the lock (with backoff) rather than failing, so the cap
keeps the queue of writers short.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    ScheduleDefinition,
    define_asset_job,
    multiprocess_executor,
)
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

DEFAULT_MAX_CONCURRENT = 4


def team_selection(team: str, assets: Sequence[str] | None) -> AssetSelection:
    """The team's assets named (bare names), or all of them when ``assets`` is None."""
    if assets is None:
        return AssetSelection.groups(team)
    return AssetSelection.assets(*[[team, name] for name in assets])


@dataclass(frozen=True)
class TeamSchedule:
    """When to materialize which of the team's assets (bare names; all if None)."""

    name: str
    cron: str
    assets: Sequence[str] | None = None
    timezone: str = "UTC"
    running: bool = True

    def for_team(self, team: str) -> ScheduleDefinition:
        job = define_asset_job(
            f"{self.name}_job", selection=team_selection(team, self.assets), tags={"team": team}
        )
        return ScheduleDefinition(
            name=f"{team}_{self.name}",
            job=job,
            cron_schedule=self.cron,
            execution_timezone=self.timezone,
            default_status=(
                DefaultScheduleStatus.RUNNING if self.running else DefaultScheduleStatus.STOPPED
            ),
            description=f"{team}: {', '.join(self.assets or ['all assets'])} at {self.cron} "
            f"({self.timezone})",
        )


@dataclass(frozen=True)
class ParallelJob:
    """A job over some of the team's assets (by bare name; all of them if None) whose steps
    run in parallel processes."""

    name: str
    assets: Sequence[str] | None = None
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    description: str | None = None

    def for_team(self, team: str) -> UnresolvedAssetJobDefinition:
        """The Dagster job, with the team's asset keys and run tags."""
        return define_asset_job(
            self.name,
            selection=team_selection(team, self.assets),
            executor_def=multiprocess_executor.configured({"max_concurrent": self.max_concurrent}),
            tags={"team": team, "tailor/execution": "parallel"},
            description=self.description
            or f"{team}: {', '.join(self.assets or ['all assets'])}, up to "
            f"{self.max_concurrent} steps at once",
        )
