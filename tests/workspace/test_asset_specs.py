"""Every team's asset specs, pinned: a change in the shape of any asset (its key, group,
owners, kinds, dependencies, checks, automation, pool, freshness or partitions) shows as a
reviewable diff of ``__snapshots__/test_asset_specs.ambr``.

After an intended change, update the snapshot and review its diff: ``make snapshots``.
"""

import json

from dagster import AssetsDefinition, Definitions
from dagster._serdes import serialize_value

from platform_lib.workspace.locations import own_asset_specs


def asset_shapes(team: str, defs: Definitions) -> dict[str, dict]:
    """What the platform's conventions decide about each asset the team defines, by key."""
    checks: dict[str, list[str]] = {}
    pools: dict[str, str | None] = {}
    for assets in defs.assets or []:
        if isinstance(assets, AssetsDefinition) and assets.is_executable:
            for spec in assets.specs:
                pools[spec.key.to_user_string()] = assets.op.pool
            for check in assets.check_specs:
                blocking = " (blocking)" if check.blocking else ""
                checks.setdefault(check.asset_key.to_user_string(), []).append(
                    check.name + blocking
                )
    shapes = {}
    for spec in sorted(own_asset_specs(team, defs), key=lambda spec: spec.key.path):
        key = spec.key.to_user_string()
        condition = spec.automation_condition
        shapes[key] = {
            "group": spec.group_name,
            "owners": list(spec.owners),
            "kinds": sorted(spec.kinds),
            "deps": sorted(dep.asset_key.to_user_string() for dep in spec.deps),
            "checks": sorted(checks.get(key, [])),
            "automation_condition": condition
            and (condition.get_label() or json.loads(serialize_value(condition))),
            "pool": pools.get(key),
            "freshness": spec.freshness_policy
            and json.loads(serialize_value(spec.freshness_policy)),
            "partitions": spec.partitions_def and str(spec.partitions_def),
        }
    return shapes


def test_every_team_asset_keeps_its_shape(workspace, snapshot):
    assert {team: asset_shapes(team, defs) for team, defs in workspace.items()} == snapshot
