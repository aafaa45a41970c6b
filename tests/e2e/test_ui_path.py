"""The UI path, end to end: the real `dagster dev` serving workspace.yaml, runs launched with
the mutation the UI's Materialize button sends, a real browser, and a run that must fail."""

import os
from pathlib import Path

import pandas as pd
import pytest

from platform_lib import open_warehouse
from tests.e2e.conftest import TERMINAL

pytestmark = pytest.mark.e2e

CHECKS = """
{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks {
    name executionForLatestMaterialization { status }
} } } } }
"""


def tables(warehouse: Path) -> set[str]:
    with open_warehouse(warehouse) as connection:
        rows = connection.sql(
            "SELECT database_name, table_name FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall()
    return {f"{team}.{table}" for team, table in rows}


def check_statuses(server, team: str) -> dict[str, str]:
    return {
        f"{'/'.join(node['assetKey']['path'])}:{check['name']}": (
            (check["executionForLatestMaterialization"] or {}).get("status", "NONE")
        )
        for node in server.graphql(CHECKS)["assetNodes"]
        if node["assetKey"]["path"][0] == team
        for check in node["assetChecksOrError"].get("checks", [])
    }


def open_page(page, url: str, first_visit: bool = False) -> None:
    """Navigate, then clear whatever dialog Dagster shows on top (on the ``first_visit``,
    the first-visit one can appear a moment after the page loads: wait for it), so clicks
    reach the page."""
    page.goto(url, wait_until="networkidle")
    skip = page.get_by_role("button", name="Skip").first
    try:
        if first_visit:
            skip.wait_for(state="visible", timeout=3000)
        if skip.is_visible():
            skip.click()
    except Exception:  # no first-visit dialog this time
        pass
    backdrop = page.locator(".bp5-overlay-backdrop")
    if backdrop.count():
        page.keyboard.press("Escape")
        backdrop.first.wait_for(state="detached", timeout=15_000)


def wait_for_styling_run(server) -> str:
    """The run the styling_automation sensor launches once its upstreams are updated."""

    def latest() -> str | None:
        styling = [
            run
            for run in server.runs()
            if any(key["path"][0] == "styling" for key in run["assetSelection"] or [])
        ]
        return styling[0]["status"] if styling else None

    return server.wait("styling's run by automation to finish", latest, TERMINAL.__contains__)


def test_all_three_code_locations_load_in_their_own_processes(dagster_dev):
    locations = dagster_dev.locations()
    assert {name: entry["loadStatus"] for name, entry in locations.items()} == {
        "merchandising": "LOADED",
        "client_insights": "LOADED",
        "styling": "LOADED",
    }


def test_materialize_one_team_as_the_ui_button_does(dagster_dev):
    run_id = dagster_dev.materialize("merchandising")
    assert dagster_dev.wait_for_run(run_id) == "SUCCESS"
    assert {
        "merchandising.raw_inventory",
        "merchandising.raw_purchase_orders",
        "merchandising.inventory",
        "merchandising.demand_forecast",
    } <= tables(dagster_dev.warehouse)
    statuses = check_statuses(dagster_dev, "merchandising")
    assert len(statuses) > 40
    assert set(statuses.values()) == {"SUCCEEDED"}


def test_in_a_real_browser_every_team_materializes_across_locations(dagster_dev, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    open_page(page, f"{dagster_dev.url}/asset-groups", first_visit=True)
    for team in ("merchandising", "client_insights"):
        open_page(page, f"{dagster_dev.url}/locations/{team}/asset-groups/{team}")
        page.get_by_role("button", name="Materialize all").click()
        page.get_by_text("Launched run").first.wait_for(timeout=60_000)
    assert wait_for_styling_run(dagster_dev) == "SUCCESS"
    open_page(page, f"{dagster_dev.url}/runs")
    page.get_by_text("Success").first.wait_for(timeout=60_000)
    open_page(page, f"{dagster_dev.url}/asset-groups")
    page.wait_for_load_state("networkidle")  # the lineage's statuses loaded
    page.screenshot(path=str(tmp_path / "lineage.png"))
    if os.environ.get("TAILOR_DOCS_SCREENSHOT"):
        page.screenshot(path=os.environ["TAILOR_DOCS_SCREENSHOT"])
    assert (tmp_path / "lineage.png").stat().st_size > 10_000
    assert len(tables(dagster_dev.warehouse)) == 10
    for team in ("merchandising", "client_insights", "styling"):
        assert set(check_statuses(dagster_dev, team).values()) == {"SUCCEEDED"}, team


def wait_for_alerts(server, receiver, kinds: set[str]) -> list[dict]:
    def arrived(bodies: list[dict]) -> bool:
        return kinds <= {body["kind"] for body in bodies}

    return server.wait(f"alerts {kinds} at {receiver.url}", lambda: list(receiver.bodies), arrived)


def test_a_run_on_a_corrupted_landing_file_fails_and_keeps_the_table(
    dagster_dev, e2e_landing, team_webhooks
):
    if "client_insights.raw_clients" not in tables(dagster_dev.warehouse):  # run alone
        assert dagster_dev.wait_for_run(dagster_dev.materialize("client_insights")) == "SUCCESS"
    with open_warehouse(dagster_dev.warehouse) as connection:
        before = connection.sql("SELECT * FROM client_insights.raw_clients").df()
    clients_file = e2e_landing / "clients.csv"
    original = clients_file.read_bytes()
    try:
        clients = pd.read_csv(clients_file)
        clients.loc[1, "client_id"] = clients.loc[0, "client_id"]
        clients.to_csv(clients_file, index=False)
        run_id = dagster_dev.materialize("client_insights")
        assert dagster_dev.wait_for_run(run_id) == "FAILURE"
    finally:
        clients_file.write_bytes(original)
    statuses = check_statuses(dagster_dev, "client_insights")
    assert statuses["client_insights/raw_clients:client_id_unique"] == "FAILED"
    with open_warehouse(dagster_dev.warehouse) as connection:
        after = connection.sql("SELECT * FROM client_insights.raw_clients").df()
    pd.testing.assert_frame_equal(after, before)

    # the running daemon's sensors alert the owning team, and only it, once: the run failed
    # only because its contract broke, which the check-failure alert says
    alerts = wait_for_alerts(dagster_dev, team_webhooks["client_insights"], {"check failure"})
    check_alert = next(alert for alert in alerts if alert["kind"] == "check failure")
    assert check_alert["subject"] == "client_insights/raw_clients"
    assert "client_id_unique (2 failing rows)" in check_alert["message"]
    assert check_alert["link"].endswith(f"/runs/{run_id}")
    assert check_alert["origin"]["launched_by"] == "hand"
    log = dagster_dev.home / "tailor_alerts.log"
    dagster_dev.wait(
        "the run-failure sensor to see the run (tailor_alerts.log)",
        lambda: log.read_text() if log.exists() else "",
        lambda text: "covered by the check-failure alert" in text,
    )
    assert [alert["kind"] for alert in team_webhooks["client_insights"].bodies] == ["check failure"]
    assert team_webhooks["merchandising"].bodies == []
