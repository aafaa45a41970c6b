"""team_definitions: one team's code location, with the platform's conventions applied.

A team writes plain ``@asset`` functions named after what they produce. This module turns
them into the team's assets: key ``[team, name]``, group ``team``, owner ``team:<team>``,
kinds ``duckdb`` and ``pandas``, the docstring as the required description, the warehouse
as IO manager and the landing zone as a resource.
"""

import keyword
from collections.abc import Iterable, Mapping, Sequence
from graphlib import TopologicalSorter
from types import ModuleType
from typing import Any

from dagster import (
    AssetChecksDefinition,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    AssetSpec,
    AutomationCondition,
    AutomationConditionSensorDefinition,
    BackfillPolicy,
    DefaultSensorStatus,
    Definitions,
    in_process_executor,
    load_asset_checks_from_modules,
    load_assets_from_modules,
)

from platform_lib.alert_delivery import AlertRoutes
from platform_lib.alert_sensors import alert_sensors
from platform_lib.errors import TeamConventionError
from platform_lib.landing import LandingZone
from platform_lib.parallel_job import ParallelJob
from platform_lib.team_schedule import TeamSchedule
from platform_lib.warehouse import WarehouseIOManager
from platform_lib.warehouse_pool import in_team_pool

PLATFORM_KINDS = frozenset({"duckdb", "pandas"})
DEFAULT_GROUP = "default"

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

    Failed runs and failed checks go to ``alerts`` (an ``AlertRoutes``; with none, to the
    local alert log) through sensors the platform adds.

    Partitioned assets backfill a range of partitions in one run (and one warehouse
    transaction) unless they set their own ``backfill_policy``. Every asset is in the team's
    warehouse pool (``warehouse_pool``) unless it sets its own.

    Runs execute in one process by default: a process per step costs over a second each,
    which a scientist iterating feels every time, and DuckDB has a single writer per file.
    Heavy, independent assets opt into parallel steps with ``jobs=[ParallelJob(...)]``.
    """
    _check_team_name(team)
    assets = list(assets)
    own_assets = _collect_assets(team, assets)
    checks = _collect_checks([*asset_checks, *_modules(assets)])
    renames = _team_key_renames(team, own_assets)
    prefixed = [
        asset.with_attributes(
            asset_key_replacements=renames, backfill_policy=_backfill_policy(asset)
        )
        for asset in own_assets
    ]
    followers = _followers_of_other_teams(prefixed)
    team_assets = [
        in_team_pool(
            asset.map_asset_specs(lambda spec: _apply_conventions(team, spec, followers)), team
        )
        for asset in prefixed
    ]
    return Definitions(
        assets=[*team_assets, *_other_teams_upstreams(team, team_assets)],
        asset_checks=[check.with_attributes(asset_key_replacements=renames) for check in checks],
        schedules=[s.for_team(team) if isinstance(s, TeamSchedule) else s for s in schedules],
        sensors=[
            *sensors,
            *_automation_sensor(team, team_assets),
            *alert_sensors(team, alerts or AlertRoutes(), team_assets),
        ],
        jobs=[job.for_team(team) if isinstance(job, ParallelJob) else job for job in jobs],
        resources={
            "io_manager": WarehouseIOManager(team=team),
            "landing": LandingZone(),
            **(resources or {}),
        },
        executor=in_process_executor,
    )


def _check_team_name(team: str) -> None:
    if not (team.isidentifier() and team.islower() and not keyword.iskeyword(team)):
        raise TeamConventionError(
            f"Team name {team!r} must be a lowercase Python identifier (e.g. 'client_insights'):"
            " it is the package name, the warehouse schema and the asset key prefix."
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


def _team_key_renames(team: str, assets: Iterable[AssetsDefinition]) -> dict[AssetKey, AssetKey]:
    renames = {}
    for asset in assets:
        for key in asset.keys:
            if len(key.path) == 1:
                renames[key] = key.with_prefix(team)
            elif key.path[0] != team or len(key.path) != 2:
                raise TeamConventionError(
                    f"Asset {key.to_user_string()} of team {team!r} has a key prefix; name the "
                    "asset by its bare name and team_definitions adds the team prefix."
                )
    return renames


def _other_teams_upstreams(team: str, assets: list[AssetsDefinition]) -> list[AssetSpec]:
    """A reference spec for each upstream asset owned by another team's code location.

    Dagster needs every input's key declared in the location; the owning team's location
    defines the asset itself, and the warehouse loads it by key.
    """
    own = {key for asset in assets for key in asset.keys}
    readers: dict[AssetKey, list[str]] = {}
    for asset in assets:
        for spec in asset.specs:
            for dep in spec.deps:
                readers.setdefault(dep.asset_key, []).append(spec.key.to_user_string())
    foreign = sorted(set(readers) - own, key=lambda key: key.path)
    for key in foreign:
        if len(key.path) != 2 or key.path[0] == team:
            raise TeamConventionError(
                f"Asset {', '.join(readers[key])} of team {team!r} depends on "
                f"{key.to_user_string()}, which the team does not define. Refer to your own "
                "assets by bare name and to another team's by its [team, asset] key, e.g. "
                'AssetIn(key=["merchandising", "inventory"]).'
            )
    return [AssetSpec(key) for key in foreign]


def _backfill_policy(asset: AssetsDefinition) -> BackfillPolicy | None:
    """Partitioned assets backfill in one run by default: one process and one warehouse
    transaction for the whole range, instead of a run per partition."""
    if asset.partitions_def is None or asset.backfill_policy is not None:
        return asset.backfill_policy
    return BackfillPolicy.single_run()


def _followers_of_other_teams(assets: list[AssetsDefinition]) -> set[AssetKey]:
    """The team's assets that read another team's asset, directly or through the team's own."""
    specs = {spec.key: spec for asset in assets for spec in asset.specs}
    graph = {key: {dep.asset_key for dep in spec.deps} for key, spec in specs.items()}
    followers: set[AssetKey] = set()
    for key in TopologicalSorter(graph).static_order():
        if key in specs and any(up not in specs or up in followers for up in graph[key]):
            followers.add(key)
    return followers


def _automation_sensor(
    team: str, assets: list[AssetsDefinition]
) -> list[AutomationConditionSensorDefinition]:
    """A sensor evaluating the team's automation conditions, running from the start.

    Dagster's implicit default sensor starts stopped on a fresh instance, so a team's
    automated assets would silently never run.
    """
    if not any(spec.automation_condition for asset in assets for spec in asset.specs):
        return []
    return [
        AutomationConditionSensorDefinition(
            f"{team}_automation",
            target=AssetSelection.groups(team),
            default_status=DefaultSensorStatus.RUNNING,
            description=f"Materializes {team}'s assets when their automation conditions say so.",
        )
    ]


def _apply_conventions(team: str, spec: AssetSpec, followers: set[AssetKey]) -> AssetSpec:
    name = spec.key.to_user_string()
    if not (spec.description or "").strip():
        raise TeamConventionError(
            f"Asset {name} of team {team!r} has no description. Add a docstring to its "
            "function saying what one row is and where it comes from; the UI shows it."
        )
    if spec.group_name not in (None, DEFAULT_GROUP, team):
        raise TeamConventionError(
            f"Asset {name} sets group {spec.group_name!r}; the group of every asset of team "
            f"{team!r} is the team. Remove group_name from the asset."
        )
    owner = f"team:{team}"
    follows = spec.key in followers and spec.automation_condition is None
    return spec.replace_attributes(
        group_name=team,
        owners=[owner, *(o for o in spec.owners if o != owner)],
        kinds={*spec.kinds, *PLATFORM_KINDS},
        automation_condition=AutomationCondition.eager() if follows else spec.automation_condition,
    )
