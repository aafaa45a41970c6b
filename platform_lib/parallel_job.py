"""ParallelJob: a team's opt-in to running heavy, independent assets in parallel.

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

from dagster import define_asset_job, multiprocess_executor
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from platform_lib.team_selection import team_selection

DEFAULT_MAX_CONCURRENT = 4


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
