"""How work crosses code locations: an asset that reads another team's asset, and its
in-team descendants, follow their upstreams through Dagster's declarative automation, and
the team gets a sensor evaluating those conditions, running from the start."""

from graphlib import TopologicalSorter

from dagster import (
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
)


def followers_of_other_teams(assets: list[AssetsDefinition]) -> set[AssetKey]:
    """The team's assets that read another team's asset, directly or through the team's own.
    An asset reading its own earlier partitions (a self-dependency) is no cycle here."""
    specs = {spec.key: spec for asset in assets for spec in asset.specs}
    graph = {key: {dep.asset_key for dep in spec.deps} - {key} for key, spec in specs.items()}
    followers: set[AssetKey] = set()
    for key in TopologicalSorter(graph).static_order():
        if key in specs and any(up not in specs or up in followers for up in graph[key]):
            followers.add(key)
    return followers


def automation_sensor(
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
