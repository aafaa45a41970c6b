"""Alert delivery over real loopback servers: an HTTP server for the Slack-compatible and JSON
webhooks, an SMTP server for email; retries, the local log that never loses an alert; whose
run each alert is about, dev alerts kept from the team, and secrets kept out of every alert."""

from dataclasses import replace

import pytest

from platform_lib.alerts.delivery import Alert, AlertRoutes, deliver
from platform_lib.alerts.origin import AlertOrigin

ALERT = Alert(
    team="merchandising",
    kind="run failure",
    subject="job __ASSET_JOB",
    message="raw_inventory failed: landing file missing",
    link="http://127.0.0.1:3000/runs/abc",
    origin=AlertOrigin(launched_by="schedule merchandising_daily"),
)
DEV = replace(ALERT, origin=AlertOrigin("dev", "ada", "0.01", "hand"))


def test_every_route_receives_the_alert(webhook_receiver, smtp_server, monkeypatch, tmp_path):
    slack, webhook = webhook_receiver(), webhook_receiver()
    monkeypatch.setenv("MERCH_SLACK", slack.url)
    monkeypatch.setenv("MERCH_HOOK", webhook.url)
    routes = AlertRoutes(
        slack_webhook_env="MERCH_SLACK", webhook_env="MERCH_HOOK", emails=("merch@example.com",)
    )
    outcomes = deliver(ALERT, routes, log=tmp_path / "alerts.log")
    assert outcomes == {"slack": "sent", "webhook": "sent", "email": "sent"}
    assert "[merchandising] run failure: job __ASSET_JOB" in slack.bodies[0]["text"]
    assert "http://127.0.0.1:3000/runs/abc" in slack.bodies[0]["text"]
    assert webhook.bodies[0]["team"] == "merchandising"
    assert webhook.bodies[0]["message"] == ALERT.message
    (mail,) = smtp_server.messages
    assert mail["Subject"] == "[merchandising] run failure: job __ASSET_JOB"
    assert mail["To"] == "merch@example.com"
    assert "landing file missing" in mail.get_payload()
    # every route, and the log, says whose run it was: production's, full, by the schedule
    origin = "env prod, full, launched by schedule merchandising_daily"
    assert origin in slack.bodies[0]["text"] and origin in mail.get_payload()
    assert webhook.bodies[0]["origin"] == {
        "env": "prod", "user": "", "sample": "full", "launched_by": "schedule merchandising_daily",
        "as_of": "",
    }  # fmt: skip
    assert origin in (tmp_path / "alerts.log").read_text()


def test_with_no_route_configured_the_alert_lands_in_the_local_log(tmp_path):
    log = tmp_path / "alerts.log"
    assert deliver(ALERT, AlertRoutes(), log=log) == {}
    text = log.read_text()
    assert "[merchandising] run failure: job __ASSET_JOB" in text
    assert "delivery: local log only" in text


def test_a_flaky_webhook_is_retried_until_it_answers(webhook_receiver, monkeypatch, tmp_path):
    flaky = webhook_receiver(statuses=(500, 503, 200))
    monkeypatch.setenv("MERCH_HOOK", flaky.url)
    outcome = deliver(ALERT, AlertRoutes(webhook_env="MERCH_HOOK"), first_delay=0.01,
                      log=tmp_path / "alerts.log")  # fmt: skip
    assert outcome == {"webhook": "sent"}
    assert len(flaky.bodies) == 3


def test_routes_that_stay_down_are_logged_with_the_reason_and_never_raise(
    webhook_receiver, closed_port, monkeypatch, tmp_path
):
    broken = webhook_receiver(statuses=(500,))
    monkeypatch.setenv("MERCH_HOOK", broken.url)
    monkeypatch.setenv("MERCH_SLACK", f"http://127.0.0.1:{closed_port()}/hook")
    monkeypatch.setenv("TAILOR_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TAILOR_SMTP_PORT", str(closed_port()))
    routes = AlertRoutes(slack_webhook_env="MERCH_SLACK", webhook_env="MERCH_HOOK", emails=("a@b",))
    log = tmp_path / "alerts.log"
    outcomes = deliver(ALERT, routes, attempts=2, first_delay=0.01, log=log)
    assert len(broken.bodies) == 2  # tried twice
    assert outcomes["webhook"].startswith("failed after 2 attempts (HTTPError: HTTP Error 500")
    assert outcomes["slack"].startswith("failed after 2 attempts (URLError")
    assert outcomes["email"].startswith("failed after 2 attempts (ConnectionRefusedError")
    assert "webhook: failed after 2 attempts" in log.read_text()
    second = deliver(ALERT, AlertRoutes(), log=log)  # the next alert still goes through
    assert second == {} and log.read_text().count("[merchandising] run failure") == 2


@pytest.fixture
def team_and_personal_routes(webhook_receiver, smtp_server, monkeypatch):
    """The team's webhook and email, and a person's own webhook and address."""
    servers = {"team": webhook_receiver(), "personal": webhook_receiver()}
    monkeypatch.setenv("MERCH_HOOK", servers["team"].url)
    monkeypatch.setenv("TAILOR_PERSONAL_WEBHOOK", servers["personal"].url)
    monkeypatch.setenv("TAILOR_PERSONAL_EMAIL", "ada@example.com")
    return servers, AlertRoutes(webhook_env="MERCH_HOOK", emails=("merch@example.com",))


def test_a_dev_alert_reaches_the_person_never_the_team(
    team_and_personal_routes, smtp_server, tmp_path
):
    servers, routes = team_and_personal_routes
    log = tmp_path / "alerts.log"
    assert deliver(DEV, routes, log=log) == {"webhook": "sent", "email": "sent"}
    assert servers["team"].bodies == []
    (alert,) = servers["personal"].bodies
    assert alert["origin"] == {
        "env": "dev", "user": "ada", "sample": "0.01", "launched_by": "hand", "as_of": ""
    }  # fmt: skip
    (mail,) = smtp_server.messages
    assert mail["To"] == "ada@example.com"
    assert mail["Subject"].endswith("[env dev, user ada, sample 0.01]")
    assert "env dev, user ada, sample 0.01" in log.read_text()


def test_a_dev_alert_with_no_personal_route_stays_in_the_local_log(
    team_and_personal_routes, smtp_server, monkeypatch, tmp_path
):
    servers, routes = team_and_personal_routes
    monkeypatch.delenv("TAILOR_PERSONAL_WEBHOOK")
    monkeypatch.delenv("TAILOR_PERSONAL_EMAIL")
    log = tmp_path / "alerts.log"
    assert deliver(DEV, routes, log=log) == {}
    assert servers["team"].bodies == servers["personal"].bodies == smtp_server.messages == []
    assert "delivery: local log only" in log.read_text()


def test_secrets_never_leave_in_an_alert(webhook_receiver, smtp_server, monkeypatch, tmp_path):
    hook = webhook_receiver()
    monkeypatch.setenv("MERCH_HOOK", hook.url)
    monkeypatch.setenv("CRM_DB_PASSWORD", "hunter2-s3cret")
    monkeypatch.setenv("PRICING_API_TOKEN", "tok-123456")
    leaky = replace(
        ALERT,
        message="connect to postgresql://ada:pa55word@db.internal/crm failed with "
        "password hunter2-s3cret; header Bearer tok-123456; see https://example.com/x",
    )
    log = tmp_path / "alerts.log"
    deliver(leaky, AlertRoutes(webhook_env="MERCH_HOOK", emails=("m@example.com",)), log=log)
    (mail,) = smtp_server.messages
    for text in (hook.bodies[0]["message"], mail.get_payload(), log.read_text()):
        assert "pa55word" not in text and "hunter2" not in text and "tok-123456" not in text
        assert "postgresql://***@db.internal/crm" in text and "https://example.com/x" in text
