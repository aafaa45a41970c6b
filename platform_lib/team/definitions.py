"""team_definitions: one team's code location, with the platform's conventions applied.

A team writes plain ``@asset`` functions named after what they produce. This module composes
its code location from them: the platform's conventions (``conventions``), automation that
follows other teams (``automation``), its jobs and schedules (``jobs``), its alert sensors,
the warehouse as IO manager and the landing zone as a resource.
"""

from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any

from dagster import (
    AssetChecksDefinition,
    AssetsDefinition,
    Definitions,
    in_process_executor,
    load_asset_checks_from_modules,
    load_assets_from_modules,
)

from platform_lib.alerts.delivery import AlertRoutes
from platform_lib.alerts.sensors import alert_sensors
from platform_lib.errors import TeamConventionError
from platform_lib.landing.zone import LandingZone
from platform_lib.team.automation import automation_sensor, followers_of_other_teams
from platform_lib.team.conventions import (
    apply_conventions,
    backfill_policy,
    check_team_name,
    other_teams_upstreams,
    platform_kinds,
    team_key_renames,
)
from platform_lib.team.jobs import ParallelJob, TeamSchedule
from platform_lib.team.restore import restore_job
from platform_lib.team.upkeep import lake_upkeep
from platform_lib.warehouse.io_manager import WAREHOUSE_RESOURCE, WarehouseIOManager
from platform_lib.warehouse.upkeep import LakeUpkeep

AssetsOrModules = Iterable[AssetsDefinition | ModuleType]


def team_definitions(
    team: str,
    *,
    assets: AssetsOrModules,
    schedules: Sequence[Any] = (),
    sensors: Sequence[Any] = (),
    jobs: Sequence[Any] = (),
    asset_checks: Iterable[AssetChecksDefinition | ModuleType] = (),
    resources: Mapping[str, Any] | None = None,
    alerts: AlertRoutes | None = None,
    upkeep: LakeUpkeep | None = None,
) -> Definitions:
    """The ``Definitions`` of one team's code location.

    ``assets`` takes asset definitions or whole modules of them; their keys are prefixed with
    the team, so within a team assets refer to each other by bare name, and to another team's
    asset by its full key (``AssetIn(key=["merchandising", "inventory"])``)::

        from teams.styling import recommendations, workload

        defs = team_definitions("styling", assets=[recommendations, workload])

    An asset that reads another team's asset, and everything downstream of it in the team,
    follows its upstreams: Dagster's declarative automation materializes it once they have
    all been updated (``AutomationCondition.eager()``, unless the asset sets its own). That
    is how work flows across code locations, which no single run can span.

    Every team gets a ``<team>_restore`` job (``restore``): an earlier version of one of its
    tables back, from the Launchpad or ``tailor table restore``.

    Failed runs and failed checks go to ``alerts`` (an ``AlertRoutes``; with none, to the
    local alert log) through sensors the platform adds.

    Partitioned assets backfill a range of partitions in one run (and one warehouse
    transaction) unless they set their own ``backfill_policy``. No pool holds a team's runs
    apart: the lake takes writers of different tables at once and retries writers of one.

    The team's lake is kept by the ``<team>_lake_upkeep`` schedule: versions older than
    30 days expired (each table's latest 5 kept) and their files removed, daily;
    ``upkeep=LakeUpkeep(retention_days=90, keep_versions=10)`` changes that.

    Runs execute in one process by default: a process per step costs over a second each,
    which a scientist iterating feels every time.
    Heavy, independent assets opt into parallel steps with ``jobs=[ParallelJob(...)]``.
    """
    check_team_name(team)
    assets = list(assets)
    own_assets = _collect_assets(team, assets)
    checks = _collect_checks([*asset_checks, *_modules(assets)])
    renames = team_key_renames(team, own_assets)
    prefixed = [
        asset.with_attributes(
            asset_key_replacements=renames, backfill_policy=backfill_policy(asset, renames)
        )
        for asset in own_assets
    ]
    followers = followers_of_other_teams(prefixed)

    def conventional(asset: AssetsDefinition) -> AssetsDefinition:
        kinds = platform_kinds(asset)
        return asset.map_asset_specs(lambda spec: apply_conventions(team, spec, followers, kinds))

    team_assets = [conventional(asset) for asset in prefixed]
    upkeep_job, upkeep_schedule = lake_upkeep(team, upkeep or LakeUpkeep())
    return Definitions(
        assets=[*team_assets, *other_teams_upstreams(team, team_assets)],
        asset_checks=[check.with_attributes(asset_key_replacements=renames) for check in checks],
        schedules=[
            *(s.for_team(team) if isinstance(s, TeamSchedule) else s for s in schedules),
            upkeep_schedule,
        ],
        sensors=[
            *sensors,
            *automation_sensor(team, team_assets),
            *alert_sensors(team, alerts or AlertRoutes(), team_assets),
        ],
        jobs=[
            *(job.for_team(team) if isinstance(job, ParallelJob) else job for job in jobs),
            upkeep_job,
            restore_job(team, team_assets),
        ],
        resources={
            WAREHOUSE_RESOURCE: WarehouseIOManager(team=team),
            "landing": LandingZone(),
            **(resources or {}),
        },
        executor=in_process_executor,
    )


def _modules(items: Iterable[Any]) -> list[ModuleType]:
    return [item for item in items if isinstance(item, ModuleType)]


def _collect_assets(team: str, items: list[Any]) -> list[AssetsDefinition]:
    loaded = [*load_assets_from_modules(_modules(items))]
    loaded += [item for item in items if not isinstance(item, ModuleType)]
    for item in loaded:
        if not isinstance(item, AssetsDefinition) or isinstance(item, AssetChecksDefinition):
            raise TeamConventionError(
                f"Team {team!r} passed {item!r} as an asset; pass @asset functions or the "
                "modules that hold them (another team's asset is referenced by key, not passed)."
            )
    return list({id(item): item for item in loaded}.values())


def _collect_checks(items: list[Any]) -> list[AssetChecksDefinition]:
    loaded = [*load_asset_checks_from_modules(_modules(items))]
    loaded += [item for item in items if not isinstance(item, ModuleType)]
    return list({id(item): item for item in loaded}.values())
