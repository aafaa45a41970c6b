"""Every team has a real schedule, declared in one line, on from the start; evaluating it
requests a run of exactly its assets."""

from dagster import AssetKey, build_schedule_context

from platform_lib import TeamSchedule, team_definitions

EXPECTED = {
    "merchandising": ("merchandising_nightly", "0 2 * * *"),
    "client_insights": ("client_insights_nightly", "0 3 * * *"),
    "styling": ("styling_morning_workload", "0 7 * * 1-5"),
}


def test_each_team_has_its_schedule_running_from_the_start(workspace):
    for team, (name, cron) in EXPECTED.items():
        schedule = workspace[team].resolve_schedule_def(name)
        assert schedule.cron_schedule == cron
        assert schedule.execution_timezone == "America/Los_Angeles"
        assert schedule.default_status.value == "RUNNING"


def test_a_schedule_runs_exactly_its_teams_selected_assets(workspace):
    defs = workspace["styling"]
    job = defs.resolve_job_def("morning_workload_job")
    assert job.asset_layer.executable_asset_keys == {AssetKey(["styling", "stylist_workload"])}
    assert job.tags["team"] == "styling"
    schedule = defs.resolve_schedule_def("styling_morning_workload")
    assert len(schedule.evaluate_tick(build_schedule_context()).run_requests) == 1


def test_a_schedule_of_all_assets_selects_the_whole_team():
    from dagster import asset

    @asset
    def one() -> None:
        """One."""

    defs = team_definitions("ops", assets=[one], schedules=[TeamSchedule("hourly", "0 * * * *")])
    job = defs.resolve_job_def("hourly_job")
    assert job.asset_layer.executable_asset_keys == {AssetKey(["ops", "one"])}
    assert defs.resolve_schedule_def("ops_hourly").execution_timezone == "UTC"
