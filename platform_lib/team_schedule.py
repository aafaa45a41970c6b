"""TeamSchedule: a team's schedule in one line.

    TeamSchedule("nightly", cron="0 2 * * *", assets=["raw_inventory", "inventory"],
                 timezone="America/Los_Angeles")

becomes a Dagster schedule of an asset job over those assets (all of the team's when
``assets`` is None), on from the start, tagged with the team. Failed runs it launches alert
the team like any other.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from dagster import DefaultScheduleStatus, ScheduleDefinition, define_asset_job

from platform_lib.team_selection import team_selection


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
