"""The alert sensors every team gets, evaluated against a real instance holding real failed
runs and real check evaluations; alerts arrive at a real HTTP server on loopback."""

import pandas as pd
import pandera.pandas as pa
import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    build_run_status_sensor_context,
    build_sensor_context,
)
from pandera.typing import Series

from platform_lib import AlertRoutes, team_definitions, warehouse_asset


@pytest.fixture
def hooks(monkeypatch, tmp_path, webhook_receiver):
    """A webhook per team, and DAGSTER_HOME for the local alert log."""
    servers = {team: webhook_receiver() for team in ("crm", "ops")}
    for team, server in servers.items():
        monkeypatch.setenv(f"{team.upper()}_HOOK", server.url)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    return servers


class Clients(pa.DataFrameModel):
    client_id: Series[int] = pa.Field(unique=True)


FRAMES = {}


@warehouse_asset(contract=Clients)
def clients() -> pd.DataFrame:
    """Clients."""
    return FRAMES["clients"]


@pytest.fixture
def instance(tmp_path):
    """An on-disk SQLite instance, as `dagster dev` uses (its event log is run-sharded)."""
    (tmp_path / "instance").mkdir()
    with DagsterInstance.from_config(str(tmp_path / "instance")) as local:
        yield local


def team(name: str):
    return team_definitions(
        name, assets=[clients], alerts=AlertRoutes(webhook_env=f"{name.upper()}_HOOK")
    )


def sensor_named(defs, suffix):
    return next(sensor for sensor in defs.sensors if sensor.name.endswith(suffix))


def test_a_failed_run_alerts_its_teams_route_with_a_link_to_the_run(hooks, warehouse, instance):
    crm = team("crm")
    FRAMES["clients"] = pd.DataFrame({"client_id": [1, 1]})
    result = crm.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance, raise_on_error=False
    )
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(
        sensor_name="crm_run_failure_alerts",
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        dagster_event=failure,
    ).for_run_failure()
    sensor_named(crm, "_run_failure_alerts")(context)
    (alert,) = hooks["crm"].bodies
    assert alert["team"] == "crm" and alert["kind"] == "run failure"
    assert alert["link"] == f"http://127.0.0.1:3000/runs/{result.run_id}"
    # that other teams' routes stay quiet is proven with the real daemon in tests/e2e


def test_a_failed_error_check_alerts_once_with_its_failing_rows(hooks, warehouse, instance):
    crm = team("crm")
    check_sensor = sensor_named(crm, "_check_failure_alerts")
    first = build_sensor_context(instance=instance)
    check_sensor(first)  # the first tick starts from now
    job = crm.resolve_implicit_global_asset_job_def()
    FRAMES["clients"] = pd.DataFrame({"client_id": [1, 1, 2]})
    job.execute_in_process(instance=instance, raise_on_error=False)

    tick = build_sensor_context(instance=instance, cursor=first.cursor)
    check_sensor(tick)
    (alert,) = hooks["crm"].bodies
    assert alert["kind"] == "check failure" and alert["subject"] == "crm/clients"
    assert "client_id_unique (2 failing rows)" in alert["message"]

    job.execute_in_process(instance=instance, raise_on_error=False)  # fails again at once
    again = build_sensor_context(instance=instance, cursor=tick.cursor)
    check_sensor(again)
    assert len(hooks["crm"].bodies) == 1  # grouped within the window, not a storm
    log = (warehouse.parent / "tailor_alerts.log").read_text()
    assert "grouped with an earlier alert: crm/clients" in log
