"""`tailor table history | restore` through the real command (click's CliRunner): a table's
versions newest first, and a real team's restore job run in the instance of $DAGSTER_HOME."""

import json

import pytest
from click.testing import CliRunner
from dagster import AssetKey

from platform_lib.cli.main import tailor
from teams.merchandising.definitions import defs as merchandising
from tests.warehouse.test_versions import RUNS, store

RAW_INVENTORY = AssetKey(["merchandising", "raw_inventory"])


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("TAILOR_ENV", "prod")  # the command sets it; restored after the test
    monkeypatch.setenv("TAILOR_USER", "alice")
    monkeypatch.setenv("COLUMNS", "120")

    def invoke(*args: str):
        return CliRunner().invoke(tailor, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def scores(warehouse, cli, use):
    for rows, run_id in zip((1, 2), RUNS, strict=True):
        store("crm/scores", rows, run_id)
    use(env="dev")
    store("crm/scores", 5, "sandbox-run")
    use(env="prod")
    return warehouse


def test_history_prints_each_version_newest_first_with_its_run_rows_and_author(scores, cli):
    result = cli("table", "history", "crm/scores")
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines[0] == ["version", "time", "run_id", "rows", "action", "sample", "who"]
    assert [(line[0], line[3], line[4], line[5]) for line in lines[2:]] == [
        ("2", RUNS[1], "2", "write"),
        ("1", RUNS[0], "1", "write"),
    ]
    assert lines[2][-2:] == ["alice", "(prod)"]
    rows = json.loads(cli("table", "history", "crm/scores", "--json").stdout)
    assert [(row["version"], row["run_id"], row["rows"]) for row in rows] == [
        (2, RUNS[1], 2),
        (1, RUNS[0], 1),
    ]
    assert rows[0]["time"].endswith("+00:00") and rows[0]["author"] == "alice"
    dev = json.loads(cli("table", "history", "crm/scores", "--env", "dev", "--json").stdout)
    assert [(row["run_id"], row["rows"], row["environment"]) for row in dev] == [
        ("sandbox-run", 5, "dev")
    ]


def test_history_of_a_misspelt_asset_suggests_the_one_that_exists(scores, cli):
    result = cli("table", "history", "crm/scors")
    assert result.exit_code == 1
    assert "Error: Asset crm/scors does not exist: no environment of the warehouse holds its " \
        "table. Did you mean crm/scores?" in result.output  # fmt: skip


def test_restore_runs_the_teams_job_in_the_instance_of_dagster_home(
    warehouse, disk_instance, cli, monkeypatch
):
    job = merchandising.resolve_implicit_global_asset_job_def()
    runs = [
        job.execute_in_process(instance=disk_instance, asset_selection=[RAW_INVENTORY]).run_id
        for _ in range(2)
    ]
    monkeypatch.setenv("DAGSTER_HOME", disk_instance.root_directory)

    result = cli("table", "restore", "merchandising/raw_inventory", "--to", runs[0][:8])

    assert result.exit_code == 0, result.output
    message = f"restored from version 1 (run {runs[0]})"
    (run,) = [r for r in disk_instance.get_runs() if r.job_name == "merchandising_restore"]
    assert result.stdout == f"merchandising/raw_inventory: {message}; run {run.run_id}\n"
    assert run.is_success
    latest = disk_instance.get_latest_materialization_event(RAW_INVENTORY)
    assert latest.run_id == run.run_id
    assert latest.asset_materialization.description == message
    # a version that does not exist is refused before any run is recorded
    refused = cli("table", "restore", "merchandising/raw_inventory", "--to", "99")
    assert refused.exit_code == 1
    assert "Error: Cannot restore merchandising/raw_inventory: version 99 does not exist yet" in (
        refused.output
    )
    assert len(disk_instance.get_runs()) == 3
