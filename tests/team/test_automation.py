"""Assets fed by another team follow it: Dagster's declarative automation requests them once
their upstreams in other code locations have been updated, evaluated over a real instance."""

from graphlib import TopologicalSorter

from dagster import AssetKey, evaluate_automation_conditions

from platform_lib.workspace.locations import own_asset_specs

STYLING = {
    AssetKey(["styling", "style_recommendations"]),
    AssetKey(["styling", "stylist_workload"]),
}


def materialize_location(workspace, instance, name, selection=None):
    job = workspace[name].resolve_implicit_global_asset_job_def()
    assert job.execute_in_process(instance=instance, asset_selection=selection).success


def requested(workspace, instance, cursor=None):
    result = evaluate_automation_conditions(
        defs=workspace["styling"], instance=instance, cursor=cursor
    )
    return {key for key in STYLING if result.get_requested_partitions(key)}, result.cursor


def test_styling_follows_both_upstream_teams_across_locations(workspace, instance, warehouse):
    wanted, cursor = requested(workspace, instance)
    assert wanted == set()  # upstreams never materialized: wait, do not fail

    materialize_location(workspace, instance, "merchandising")
    wanted, cursor = requested(workspace, instance, cursor)
    assert wanted == set()  # client_insights is still missing

    materialize_location(workspace, instance, "client_insights")
    wanted, cursor = requested(workspace, instance, cursor)
    assert wanted == STYLING

    materialize_location(workspace, instance, "styling")
    wanted, cursor = requested(workspace, instance, cursor)
    assert wanted == set()  # up to date: nothing to do

    materialize_location(
        workspace, instance, "merchandising", [AssetKey(["merchandising", "inventory"])]
    )
    wanted, _ = requested(workspace, instance, cursor)
    assert AssetKey(["styling", "style_recommendations"]) in wanted


def test_exactly_the_assets_fed_by_another_team_follow(workspace):
    for team, defs in workspace.items():
        specs = {spec.key: spec for spec in defs.resolve_all_asset_specs()}
        own = {spec.key for spec in own_asset_specs(team, defs)}
        fed = set()
        for key in TopologicalSorter(
            {key: {dep.asset_key for dep in specs[key].deps} for key in own}
        ).static_order():
            if key in own and any(
                dep.asset_key not in own or dep.asset_key in fed for dep in specs[key].deps
            ):
                fed.add(key)
        following = {key for key in own if specs[key].automation_condition is not None}
        assert following == fed, team
    assert {
        spec.key
        for spec in workspace["styling"].resolve_all_asset_specs()
        if spec.automation_condition is not None
    } >= STYLING


def test_a_team_with_automated_assets_gets_a_sensor_running_from_the_start(workspace):
    sensors = {sensor.name: sensor for sensor in workspace["styling"].sensors}
    assert sensors["styling_automation"].default_status.value == "RUNNING"
    assert not any(s.name.endswith("_automation") for s in workspace["merchandising"].sensors)
