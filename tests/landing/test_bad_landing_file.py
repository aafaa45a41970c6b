"""A corrupted landing file: the ingest asset's checks fail with the exact rows, downstream does
not run, and yesterday's good tables are unchanged."""

import shutil

import pandas as pd
import pytest
from dagster import AssetKey

from platform_lib.settings import LANDING_ENV


@pytest.fixture
def own_landing_zone(landing_zone, tmp_path, monkeypatch):
    """A private copy of the landing zone this test may corrupt."""
    copy = tmp_path / "landing"
    shutil.copytree(landing_zone, copy)
    monkeypatch.setenv(LANDING_ENV, str(copy))
    return copy


def run_client_insights(workspace, instance):
    job = workspace["client_insights"].resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance, raise_on_error=False)


def check_outcomes(result) -> dict:
    return {
        event.event_specific_data.check_name: event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
        and event.event_specific_data.asset_key == AssetKey(["client_insights", "raw_clients"])
    }


def test_a_corrupted_clients_file_is_stopped_at_ingest(
    workspace, instance, warehouse, own_landing_zone, read_table
):
    assert run_client_insights(workspace, instance).success  # yesterday: a good day
    yesterday = {
        name: read_table(f"client_insights.{name}") for name in ("raw_clients", "client_profiles")
    }

    clients = pd.read_csv(own_landing_zone / "clients.csv", dtype=str)
    clients.loc[4, "signup_date"] = "yesterday"  # wrong type
    clients.loc[[10, 11], "region"] = None  # nulls in a required column
    clients.loc[21, "client_id"] = clients.loc[20, "client_id"]  # duplicate key
    clients.loc[30, "budget_per_item"] = "99999"  # out of range
    clients.to_csv(own_landing_zone / "clients.csv", index=False)

    result = run_client_insights(workspace, instance)
    assert not result.success
    checks = check_outcomes(result)
    expected_failures = {
        "region_not_null": 2,
        "client_id_unique": 2,
        "budget_per_item_in_range": 1,
    }
    for name, rows in expected_failures.items():
        assert checks[name].passed is False, name
        assert checks[name].metadata["failing_rows"].value == rows, name
    duplicate = str(clients.loc[20, "client_id"])
    assert checks["client_id_unique"].metadata["failing_rows_sample"].value.count(duplicate) == 2
    assert checks["signup_date_dtype"].metadata["detail"].value == (  # a verdict on the column
        "signup_date has type str; the contract says datetime64[ns]; 1 value would not "
        "convert to datetime64[ns] (e.g. 'yesterday')"
    )
    assert "99999" in checks["budget_per_item_in_range"].metadata["failing_rows_sample"].value
    failed = {name for name, check in checks.items() if not check.passed}
    assert failed == {*expected_failures, "signup_date_dtype"}

    materialized = {
        event.asset_key.to_user_string()
        for event in result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
    }
    assert "client_insights/raw_clients" not in materialized
    assert "client_insights/client_profiles" not in materialized  # downstream did not run
    for name, table in yesterday.items():
        pd.testing.assert_frame_equal(read_table(f"client_insights.{name}"), table)
