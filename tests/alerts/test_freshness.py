"""Freshness alerts: Dagster's own freshness daemon evaluates two teams' FreshnessPolicies over
a real on-disk instance and workspace (one code server per team), on a clock moved forward;
each team's sensor sends its overdue assets to its own route, email to a real SMTP server or
a webhook to a real HTTP server, once per overdue spell. tests/e2e proves the same with the
daemon `dagster dev` runs, in real time."""

import runpy
import time
from contextlib import nullcontext

import pytest
from dagster._core.test_utils import create_test_daemon_workspace_context, freeze_time
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster._daemon.freshness import FreshnessDaemon

from platform_lib.settings import REPO_ROOT

WORKSPACE = REPO_ROOT / "tests" / "alerts" / "freshness_workspace"
HOUR = 3600  # the policy allows a minute


@pytest.fixture
def teams(tmp_path, warehouse, monkeypatch):
    """The definitions of crm and ops (tests/alerts/freshness_workspace/teams.py)."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    return runpy.run_path(str(WORKSPACE / "teams.py"))


@pytest.fixture
def freshness_daemon(teams, disk_instance):
    """One iteration of Dagster's freshness daemon over the workspace, at a given time."""
    target = WorkspaceFileTarget(paths=[str(WORKSPACE / "workspace.yaml")])
    with create_test_daemon_workspace_context(target, disk_instance) as workspace:

        def evaluate(at: float | None = None) -> None:
            with freeze_time(at) if at else nullcontext():
                list(FreshnessDaemon().run_iteration(workspace))

        yield evaluate


def materialized(teams, instance, ticks_of):
    """Materialize crm's and ops's assets now; the ticks of their freshness sensors."""
    for defs in (teams["crm"], teams["ops"]):
        assert defs.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance)
    return (ticks_of(teams[team], "_freshness_alerts") for team in ("crm", "ops"))


def test_an_overdue_asset_alerts_its_own_team_once_per_overdue_spell(
    teams, disk_instance, freshness_daemon, smtp_server, webhook_receiver, monkeypatch, ticks_of
):
    ops_hook = webhook_receiver()
    monkeypatch.setenv("OPS_HOOK", ops_hook.url)
    crm, ops = materialized(teams, disk_instance, ticks_of)
    start = time.time()

    freshness_daemon()  # just materialized: fresh
    crm(), ops()
    assert smtp_server.messages == [] and ops_hook.bodies == []

    freshness_daemon(at=start + 2 * HOUR)  # nothing new for two hours: overdue
    crm()
    (mail,) = smtp_server.messages
    assert mail["To"] == "crm@example.com"
    assert mail["Subject"] == "[crm] freshness: crm/orders"
    body = mail.get_payload(decode=True).decode()
    assert "overdue: last materialized" in body and "expected at least every 1 minute" in body
    assert "http://127.0.0.1:3000/assets/crm/orders" in body
    assert ops_hook.bodies == []  # crm's overdue asset is not ops's business
    ops()
    (alert,) = ops_hook.bodies
    assert (alert["team"], alert["kind"], alert["subject"]) == ("ops", "freshness", "ops/orders")
    assert len(smtp_server.messages) == 1

    freshness_daemon(at=start + 3 * HOUR)  # still overdue: no new alert
    crm(), ops()
    assert len(smtp_server.messages) == 1 and len(ops_hook.bodies) == 1

    freshness_daemon()  # back at the real time, both are fresh again
    freshness_daemon(at=start + 4 * HOUR)  # and overdue again: a new spell, a new alert
    crm(), ops()
    assert len(smtp_server.messages) == 2 and len(ops_hook.bodies) == 2


def test_an_asset_overdue_in_a_dev_instance_alerts_the_person_not_the_team(
    teams, disk_instance, freshness_daemon, smtp_server, webhook_receiver, monkeypatch, use,
    ticks_of,
):  # fmt: skip
    use(env="dev", user="ada")  # a dev instance's sensors run in Ada's make dev
    monkeypatch.setenv("TAILOR_PERSONAL_EMAIL", "ada@example.com")
    ops_hook = webhook_receiver()
    monkeypatch.setenv("OPS_HOOK", ops_hook.url)
    crm, ops = materialized(teams, disk_instance, ticks_of)
    freshness_daemon(at=time.time() + 2 * HOUR)
    crm(), ops()
    assert ops_hook.bodies == []
    assert [mail["To"] for mail in smtp_server.messages] == ["ada@example.com"] * 2
    assert {mail["Subject"] for mail in smtp_server.messages} == {
        f"[{team}] freshness: {team}/orders [env dev, user ada, full]" for team in ("crm", "ops")
    }
