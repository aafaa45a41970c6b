"""The alert sensors every team gets, evaluated against a real on-disk instance holding real
failed runs and real check evaluations; alerts arrive at a real HTTP server and a real SMTP
server on loopback, and in the local log."""

import socket
import subprocess
import threading

import pandas as pd
import pandera.pandas as pa
import pytest
from dagster import (
    DagsterEventType,
    build_run_status_sensor_context,
    build_sensor_context,
)
from pandera.typing import Series

from platform_lib import AlertRoutes, TableChecks, team_definitions, warehouse_asset
from platform_lib.errors import WarehouseError
from platform_lib.settings import REPO_ROOT


@pytest.fixture
def hooks(monkeypatch, tmp_path, webhook_receiver):
    """A webhook per team, and DAGSTER_HOME for the local alert log."""
    servers = {team: webhook_receiver() for team in ("crm", "ops")}
    for team, server in servers.items():
        monkeypatch.setenv(f"{team.upper()}_HOOK", server.url)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    return servers


class Clients(pa.DataFrameModel):
    client_id: Series[int] = pa.Field(unique=True, ge=0)


FRAMES = {}


@warehouse_asset(contract=Clients)
def clients() -> pd.DataFrame:
    """Clients."""
    return FRAMES["clients"]


@warehouse_asset(contract=Clients)
def orders() -> pd.DataFrame:
    """Orders, whose code has a bug."""
    raise KeyError("margin")


def team(name: str, *assets):
    """Team ``name`` with ``assets`` (``clients`` by default), alerting its webhook."""
    return team_definitions(
        name,
        assets=list(assets or [clients]),
        alerts=AlertRoutes(webhook_env=f"{name.upper()}_HOOK"),
    )


def sensor_named(defs, suffix):
    return next(sensor for sensor in defs.sensors if sensor.name.endswith(suffix))


def run_failure_alert(defs, instance, tags=None) -> str:
    """Run ``defs``'s assets (expecting a failure; with ``tags``, as Dagster sets them on a
    scheduled run) and evaluate its run-failure sensor on the failed run, as the daemon does;
    returns the run's id."""
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance, raise_on_error=False, tags=tags
    )
    evaluate_run_failure_sensor(defs, instance, result)
    return result.run_id


def evaluate_run_failure_sensor(defs, instance, result) -> None:
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    sensor = sensor_named(defs, "_run_failure_alerts")
    context = build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        dagster_event=failure,
    ).for_run_failure()
    sensor(context)


def test_a_failed_run_alerts_its_teams_route_with_a_link_to_the_run(
    hooks, warehouse, disk_instance
):
    crm = team("crm")
    FRAMES["clients"] = {"client_id": [1]}  # not a DataFrame: the write fails
    run_id = run_failure_alert(crm, disk_instance)
    (alert,) = hooks["crm"].bodies
    assert alert["team"] == "crm" and alert["kind"] == "run failure"
    assert alert["link"] == f"http://127.0.0.1:3000/runs/{run_id}"
    # that other teams' routes stay quiet is proven with the real daemon in tests/e2e


@warehouse_asset(contract=Clients, name="clients")
def failing_clients() -> pd.DataFrame:
    """Clients, failing as FAILURE says."""
    return FRAMES["failure"]()


def raise_(error: Exception):
    def fail():
        raise error

    return fail


def test_a_failed_run_alert_says_which_step_failed_and_why_on_every_route(
    hooks, smtp_server, warehouse, disk_instance
):
    crm = team_definitions(
        "crm",
        assets=[failing_clients],
        alerts=AlertRoutes(webhook_env="CRM_HOOK", emails=("crm@example.com",)),
    )
    FRAMES["failure"] = raise_(KeyError("margin"))  # the scientist's own bug
    run_failure_alert(crm, disk_instance)
    FRAMES["failure"] = lambda: {"client_id": [1]}  # the warehouse refuses what it cannot store
    run_failure_alert(crm, disk_instance)
    FRAMES["failure"] = raise_(RuntimeError())  # an error that says nothing but its class
    run_failure_alert(crm, disk_instance)
    (mail, _, _) = smtp_server.messages
    log = (warehouse.parent / "tailor_alerts.log").read_text()
    for text in (hooks["crm"].bodies[0]["message"], mail.get_payload(), log):
        assert "step clients: KeyError: 'margin'" in text
    expected = (
        "step clients: WarehouseError: Asset crm/clients returned dict; the warehouse "
        "stores a pandas.DataFrame, polars.DataFrame, polars.LazyFrame, pyarrow.Table or "
        "duckdb.DuckDBPyRelation. Return one of them from the asset function."
    )
    assert hooks["crm"].bodies[1]["message"] == expected and expected in log
    assert hooks["crm"].bodies[2]["message"] == "step clients: RuntimeError"
    assert "Traceback" not in log and 'File "' not in log and "Stack Trace" not in log


def test_a_run_failure_alert_carries_the_errors_hint_and_no_secret(
    hooks, warehouse, disk_instance, monkeypatch
):
    monkeypatch.setenv("CRM_DB_PASSWORD", "hunter2-s3cret")
    crm = team("crm", failing_clients)
    FRAMES["failure"] = raise_(
        WarehouseError(
            "cannot attach postgresql://crm:hunter2-s3cret@db.internal/crm",
            hint="check TAILOR_PG_HOST and that the database is up",
        )
    )
    run_failure_alert(crm, disk_instance)
    (alert,) = hooks["crm"].bodies
    assert alert["message"] == (
        "step clients: WarehouseError: cannot attach postgresql://***@db.internal/crm\n"
        "    hint: check TAILOR_PG_HOST and that the database is up"
    )


def test_a_failed_error_check_alerts_once_with_its_failing_rows(hooks, warehouse, disk_instance):
    crm = team("crm")
    check_sensor = sensor_named(crm, "_check_failure_alerts")
    first = build_sensor_context(instance=disk_instance)
    check_sensor(first)  # the first tick starts from now
    job = crm.resolve_implicit_global_asset_job_def()
    FRAMES["clients"] = pd.DataFrame({"client_id": [1, 1, 2]})
    job.execute_in_process(instance=disk_instance, raise_on_error=False)

    tick = build_sensor_context(instance=disk_instance, cursor=first.cursor)
    check_sensor(tick)
    (alert,) = hooks["crm"].bodies
    assert alert["kind"] == "check failure" and alert["subject"] == "crm/clients"
    assert "client_id_unique (2 failing rows)" in alert["message"]

    job.execute_in_process(instance=disk_instance, raise_on_error=False)  # fails again at once
    again = build_sensor_context(instance=disk_instance, cursor=tick.cursor)
    check_sensor(again)
    assert len(hooks["crm"].bodies) == 1  # grouped within the window, not a storm
    log = (warehouse.parent / "tailor_alerts.log").read_text()
    assert "grouped with an earlier alert: crm/clients" in log


def test_a_route_that_is_down_is_logged_and_the_next_tick_still_alerts(
    webhook_receiver, warehouse, disk_instance, monkeypatch
):
    hook = webhook_receiver(statuses=(500, 500, 500, 200))  # down for one alert's 3 attempts
    monkeypatch.setenv("CRM_HOOK", hook.url)
    monkeypatch.setenv("DAGSTER_HOME", str(warehouse.parent))
    routes = AlertRoutes(webhook_env="CRM_HOOK", group_minutes=0)
    crm = team_definitions("crm", assets=[clients], alerts=routes)
    check_sensor = sensor_named(crm, "_check_failure_alerts")
    job = crm.resolve_implicit_global_asset_job_def()
    FRAMES["clients"] = pd.DataFrame({"client_id": [1, 1]})
    context = build_sensor_context(instance=disk_instance)
    check_sensor(context)
    for _ in range(2):
        job.execute_in_process(instance=disk_instance, raise_on_error=False)
        context = build_sensor_context(instance=disk_instance, cursor=context.cursor)
        check_sensor(context)  # never raises
    assert len(hook.bodies) == 4  # the first alert tried 3 times, the second went through
    log = (warehouse.parent / "tailor_alerts.log").read_text()
    assert "webhook: failed after 3 attempts (HTTPError: HTTP Error 500" in log
    assert "webhook: sent" in log


GATE = {"started": threading.Event(), "release": threading.Event()}


@warehouse_asset(contract=Clients, name="clients")
def gated_clients() -> pd.DataFrame:
    """Clients, once the test lets the run go on."""
    GATE["started"].set()
    GATE["release"].wait(timeout=60)
    return pd.DataFrame({"client_id": [1, 1]})


def test_a_check_still_running_at_a_tick_alerts_once_it_has_failed(hooks, warehouse, disk_instance):
    crm = team("crm", gated_clients)
    check_sensor = sensor_named(crm, "_check_failure_alerts")
    context = build_sensor_context(instance=disk_instance)
    check_sensor(context)
    job = crm.resolve_implicit_global_asset_job_def()
    run = threading.Thread(
        target=lambda: job.execute_in_process(instance=disk_instance, raise_on_error=False)
    )
    run.start()
    assert GATE["started"].wait(timeout=60)
    (planned,) = disk_instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [next(iter(crm.resolve_asset_graph().asset_check_keys))]
    ).values()
    assert planned.status.value == "PLANNED"
    context = build_sensor_context(instance=disk_instance, cursor=context.cursor)
    check_sensor(context)  # a tick while the check is still running
    GATE["release"].set()
    run.join(timeout=60)
    check_sensor(build_sensor_context(instance=disk_instance, cursor=context.cursor))
    (alert,) = hooks["crm"].bodies
    assert "client_id_unique (2 failing rows)" in alert["message"]


def test_a_team_without_freshness_policies_gets_no_freshness_sensor():
    assert not [s for s in team("crm").sensors if s.name.endswith("_freshness_alerts")]


class TypedClients(pa.DataFrameModel):
    client_id: Series[int]


@warehouse_asset(contract=TypedClients, name="clients", table_checks=TableChecks(not_empty=True))
def checked_clients() -> pd.DataFrame:
    """Clients, checked for their type and for rows."""
    return FRAMES["clients"]


def test_a_different_failure_of_the_same_asset_is_a_new_alert_a_repeat_is_grouped(
    hooks, warehouse, disk_instance, ticks_of
):
    crm = team("crm", checked_clients)
    ticks = ticks_of(crm, "_check_failure_alerts")
    ticks()  # the first tick starts from now
    job = crm.resolve_implicit_global_asset_job_def()
    for frame in (
        pd.DataFrame({"client_id": ["a", "b"]}),  # the wrong type
        pd.DataFrame({"client_id": pd.Series([], dtype="int64")}),  # no rows: a new reason
        pd.DataFrame({"client_id": pd.Series([], dtype="int64")}),  # the same again
    ):
        FRAMES["clients"] = frame
        job.execute_in_process(instance=disk_instance, raise_on_error=False)
        ticks()
    first, second = hooks["crm"].bodies
    assert "client_id_dtype" in first["message"] and "not_empty" not in first["message"]
    assert "client_id has type str" in first["message"]  # the verdict on the column, no rows
    assert "failing rows" not in first["message"]
    assert "not_empty" in second["message"] and "client_id_dtype" not in second["message"]
    log = (warehouse.parent / "tailor_alerts.log").read_text()
    assert log.count("grouped with an earlier alert: crm/clients, failed: not_empty") == 1


def make_dev_environment(*variables: str) -> dict[str, str]:
    """The TAILOR_UI_* variables the Makefile exports to `make dev VARIABLES...`'s processes
    (the recipe itself is not run: it would start the UI)."""
    printed = subprocess.run(
        ["make", "-s", "--eval", "print-environment: ; @env", "print-environment", *variables],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    pairs = (line.partition("=") for line in printed.splitlines())
    return {name: value for name, _, value in pairs if name.startswith("TAILOR_UI_")}


@pytest.mark.parametrize(
    ("variables", "served_at"),
    [
        (["PORT=3300"], "http://127.0.0.1:3300"),
        (["HOST=0.0.0.0", "PORT=3300"], f"http://{socket.gethostname()}:3300"),
        ([], "http://127.0.0.1:3000"),
    ],
)
def test_alert_links_point_where_make_dev_serves_the_ui(
    variables, served_at, hooks, warehouse, disk_instance, monkeypatch
):
    monkeypatch.delenv("TAILOR_UI_URL", raising=False)
    for name, value in make_dev_environment(*variables).items():
        monkeypatch.setenv(name, value)
    FRAMES["clients"] = {"client_id": [1]}
    run_id = run_failure_alert(team("crm"), disk_instance)
    assert hooks["crm"].bodies[0]["link"] == f"{served_at}/runs/{run_id}"


def test_tailor_ui_url_wins_over_where_the_ui_serves(hooks, warehouse, disk_instance, monkeypatch):
    for name, value in make_dev_environment("PORT=3300").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TAILOR_UI_URL", "https://dagster.example.com/")  # e.g. behind a proxy
    FRAMES["clients"] = {"client_id": [1]}
    run_id = run_failure_alert(team("crm"), disk_instance)
    assert hooks["crm"].bodies[0]["link"] == f"https://dagster.example.com/runs/{run_id}"


def test_a_dev_run_alerts_the_person_never_the_team_and_says_whose_run_it_was(
    hooks, warehouse, disk_instance, use, webhook_receiver, monkeypatch, ticks_of
):
    personal = webhook_receiver()
    monkeypatch.setenv("TAILOR_PERSONAL_WEBHOOK", personal.url)
    crm = team("crm", clients, orders)
    checks = ticks_of(crm, "_check_failure_alerts")
    checks()
    use(env="dev", user="ada", sample="0.5")  # Ada iterates in her sandbox
    FRAMES["clients"] = pd.DataFrame({"client_id": [1, 1]})
    result = crm.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=disk_instance, raise_on_error=False
    )
    use(env=None, user=None)  # the sensors decide from the run's tags, not their process
    evaluate_run_failure_sensor(crm, disk_instance, result)
    checks()
    assert hooks["crm"].bodies == []  # the team is not paged
    assert [alert["kind"] for alert in personal.bodies] == ["run failure", "check failure"]
    for alert in personal.bodies:
        assert alert["origin"] == {
            "env": "dev", "user": "ada", "sample": "0.5", "launched_by": "hand", "as_of": ""
        }  # fmt: skip
    log = (warehouse.parent / "tailor_alerts.log").read_text()
    assert log.count("env dev, user ada, sample 0.5") == 4  # each headline and body


def test_a_broken_contract_alerts_once_by_its_check_alert_not_again_as_a_failed_run(
    hooks, warehouse, disk_instance, ticks_of
):
    crm = team("crm")
    checks = ticks_of(crm, "_check_failure_alerts")
    checks()
    FRAMES["clients"] = pd.DataFrame({"client_id": [1, 1, 2]})
    run_failure_alert(crm, disk_instance)
    checks()
    (alert,) = hooks["crm"].bodies  # one failure, one alert
    assert alert["kind"] == "check failure"
    assert "client_id_unique (2 failing rows)" in alert["message"]
    log = (warehouse.parent / "tailor_alerts.log").read_text()
    assert "covered by the check-failure alert: job __ASSET_JOB, step clients: " in log
    assert "Failure: Asset crm/clients broke its contract" in log


def test_a_broken_contract_beside_another_error_still_alerts_the_run(
    hooks, warehouse, disk_instance
):
    crm = team("crm", clients, orders)
    FRAMES["clients"] = pd.DataFrame({"client_id": [1, 1]})
    run_failure_alert(crm, disk_instance)
    (alert,) = hooks["crm"].bodies
    assert alert["kind"] == "run failure"
    assert "step orders: KeyError: 'margin'" in alert["message"]
    assert "step clients: Failure: Asset crm/clients broke" in alert["message"]


def test_a_repeated_run_failure_is_grouped_a_different_one_alerts_at_once(
    hooks, warehouse, disk_instance
):
    crm = team("crm", failing_clients)
    for error in (KeyError("margin"), KeyError("price"), RuntimeError("boom"), KeyError("x")):
        FRAMES["failure"] = raise_(error)  # the message changes, the reason is the class
        run_failure_alert(crm, disk_instance)
    first, second = hooks["crm"].bodies
    assert "KeyError: 'margin'" in first["message"]
    assert "RuntimeError: boom" in second["message"]
    log = (warehouse.parent / "tailor_alerts.log").read_text()
    assert log.count("grouped with an earlier alert: job __ASSET_JOB, step clients: ") == 2
    assert "KeyError: 'price'" in log and "KeyError: 'x'" in log


def test_run_failures_are_not_grouped_past_the_teams_window(hooks, warehouse, disk_instance):
    crm = team_definitions(
        "crm",
        assets=[failing_clients],
        alerts=AlertRoutes(webhook_env="CRM_HOOK", group_minutes=0),
    )
    FRAMES["failure"] = raise_(KeyError("margin"))
    for _ in range(2):
        run_failure_alert(crm, disk_instance)
    assert len(hooks["crm"].bodies) == 2


def test_a_long_error_line_is_cut_at_a_word_and_its_hint_is_kept(hooks, warehouse, disk_instance):
    crm = team("crm", failing_clients)
    long_line = "Fix the key in the ins of pricing/margins (`tailor check` lists them) " * 12
    hint = "hint: " + "run tailor check and read what it says about each input " * 12
    FRAMES["failure"] = raise_(
        RuntimeError("\n".join([long_line.strip(), "two", "three", hint.strip(), "five"]))
    )
    run_failure_alert(crm, disk_instance)
    (alert,) = hooks["crm"].bodies
    first, *rest = alert["message"].splitlines()
    kept = first.removeprefix("step clients: RuntimeError: ").removesuffix("…")
    assert first.endswith("…") and 500 < len(kept) <= 600  # not 300 characters any more
    assert long_line.startswith(kept + " ")  # whole words only
    assert rest == ["    two", "    three", "    " + hint.strip()]  # the hint whole


def test_one_failing_row_is_said_in_the_singular_by_the_check_alert_and_the_run(
    hooks, warehouse, disk_instance, ticks_of
):
    crm = team("crm")
    checks = ticks_of(crm, "_check_failure_alerts")
    checks()
    FRAMES["clients"] = pd.DataFrame({"client_id": [-1, 2]})  # one negative id
    run_failure_alert(crm, disk_instance)
    checks()
    (alert,) = hooks["crm"].bodies
    assert "(1 failing row)" in alert["message"]
    log = (warehouse.parent / "tailor_alerts.log").read_text()
    assert "broke its contract: client_id_" in log and "(1 failing row)." in log
    assert "row(s)" not in log and "1 failing rows" not in log


@pytest.mark.parametrize(
    ("tags", "launched_by"),
    [
        ({"dagster/schedule_name": "crm_daily"}, "schedule crm_daily"),
        ({"dagster/sensor_name": "crm_automation"}, "sensor crm_automation"),
        ({"dagster/backfill": "abcdefgh"}, "backfill abcdefgh"),
        (None, "hand"),
    ],
)
def test_a_run_failure_alert_says_how_the_run_was_launched(
    tags, launched_by, hooks, warehouse, disk_instance
):
    FRAMES["clients"] = {"client_id": [1]}
    run_failure_alert(team("crm"), disk_instance, tags=tags)
    (alert,) = hooks["crm"].bodies
    assert alert["origin"]["launched_by"] == launched_by
    log = (warehouse.parent / "tailor_alerts.log").read_text()
    assert f"\nenv prod, full, launched by {launched_by}\n" in log
