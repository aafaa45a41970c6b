"""The freshness daemon `dagster dev` runs, in real time: a minute after its last
materialization each team's asset is overdue, and each team hears of it on its own route,
crm by email (a real SMTP server), ops by webhook (a real HTTP server)."""

import pytest

from platform_lib.settings import LANDING_ENV, REPO_ROOT, WAREHOUSE_ENV

pytestmark = pytest.mark.e2e
WORKSPACE = REPO_ROOT / "tests" / "alerts" / "freshness_workspace"


def test_an_asset_left_overdue_alerts_its_own_team(
    dagster_dev_factory, tmp_path, smtp_server, webhook_receiver
):
    ops_hook = webhook_receiver()
    env = {
        WAREHOUSE_ENV: str(tmp_path / "warehouse"),
        LANDING_ENV: str(tmp_path / "landing"),
        "OPS_HOOK": ops_hook.url,
        "FRESHNESS_DAEMON_INTERVAL_SECONDS": "5",
    }
    server = dagster_dev_factory(WORKSPACE / "workspace.yaml", env, WORKSPACE)
    server.wait_until_loaded({"crm", "ops"})
    launched = {team: server.materialize(team) for team in ("crm", "ops")}  # both at once
    for team, run_id in launched.items():
        assert server.wait_for_run(run_id) == "SUCCESS", team
    server.wait(  # a minute to become overdue, then the next ticks
        "crm's freshness email and ops's webhook",
        lambda: (len(smtp_server.messages), len(ops_hook.bodies)),
        all,
    )
    (mail,) = smtp_server.messages
    assert mail["Subject"] == "[crm] freshness: crm/orders"
    (alert,) = ops_hook.bodies
    assert (alert["team"], alert["kind"], alert["subject"]) == ("ops", "freshness", "ops/orders")
    assert alert["link"] == "http://127.0.0.1:3000/assets/ops/orders"
