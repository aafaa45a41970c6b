"""Every team's asset specs, pinned: a change in the shape of any asset (its key, group,
owners, kinds, dependencies, checks, automation, pool, freshness, partitions, backfill
policy, or the metadata the platform sets) shows as a reviewable diff of
``__snapshots__/test_asset_specs.ambr``.

After an intended change, update the snapshot and review its diff: ``make snapshots``.
"""

from dagster import AssetsDefinition, Definitions

from platform_lib.workspace.locations import own_asset_specs

PLATFORM_METADATA = ("tailor/contract", "tailor/sample_by", "partition_expr")


def checks_by_asset(defs: Definitions) -> dict[str, list[str]]:
    """Every check of the location, made by a contract or passed as ``asset_checks=``."""
    checks: dict[str, list[str]] = {}
    for definition in [*(defs.assets or []), *(defs.asset_checks or [])]:
        for check in getattr(definition, "check_specs", []):
            blocking = " (blocking)" if check.blocking else ""
            checks.setdefault(check.asset_key.to_user_string(), []).append(check.name + blocking)
    return checks


def asset_shapes(team: str, defs: Definitions) -> dict[str, dict]:
    """What the platform's conventions decide about each asset the team defines, by key."""
    checks = checks_by_asset(defs)
    executable = {
        spec.key: assets
        for assets in defs.assets or []
        if isinstance(assets, AssetsDefinition) and assets.is_executable
        for spec in assets.specs
    }
    shapes = {}
    for spec in sorted(own_asset_specs(team, defs), key=lambda spec: spec.key.path):
        key, assets = spec.key.to_user_string(), executable[spec.key]
        condition, freshness = spec.automation_condition, spec.freshness_policy
        schema = spec.metadata.get("dagster/column_schema")
        shapes[key] = {
            "group": spec.group_name,
            "owners": list(spec.owners),
            "kinds": sorted(spec.kinds),
            "deps": sorted(dep.asset_key.to_user_string() for dep in spec.deps),
            "checks": sorted(checks.get(key, [])),
            "automation_condition": condition and (condition.get_label() or condition.name),
            "pool": assets.op.pool,
            "freshness": freshness and repr(freshness),
            "partitions": spec.partitions_def and str(spec.partitions_def),
            "backfill_policy": assets.backfill_policy and repr(assets.backfill_policy),
            "columns": schema and [f"{column.name}: {column.type}" for column in schema.columns],
            "metadata": {
                name: spec.metadata[name] for name in PLATFORM_METADATA if name in spec.metadata
            },
        }
    return shapes


def test_every_team_asset_keeps_its_shape(workspace, snapshot):
    shapes = {team: asset_shapes(team, defs) for team, defs in workspace.items()}
    assert shapes == snapshot, (
        "The shape of a team's assets changed. If you meant it, run `make snapshots` and "
        "commit the reviewed diff of tests/workspace/__snapshots__/."
    )
