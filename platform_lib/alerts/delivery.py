"""Alerts and where they go: a team's routes, and delivery that never loses an alert.

A team declares its routes once, in ``teams/<team>/alerts.py``; secrets are named by the
environment variables that hold them, never written in the repository::

    routes = AlertRoutes(
        slack_webhook_env="MERCHANDISING_SLACK_WEBHOOK",  # a Slack-compatible incoming webhook
        webhook_env="MERCHANDISING_ALERT_WEBHOOK",        # any service taking JSON
        emails=("merchandising@example.com",),           # via TAILOR_SMTP_HOST / _PORT / _USER
    )

Every alert is also appended to a readable log, ``$DAGSTER_HOME/tailor_alerts.log``; with no
route configured that log is where alerts go. A route that fails is retried with backoff,
then the failure and its reason are written to the log: delivery never raises.

Every alert says whose work failed and how its run was launched (``env prod, full, launched
by schedule merchandising_daily``; ``env dev, user ada, sample 0.01, launched by hand``).
An alert about a dev run never reaches the team: it goes to the log, and to the person's own
routes when the environment of their ``make dev`` names any: ``TAILOR_PERSONAL_WEBHOOK``
(a JSON webhook's URL) and ``TAILOR_PERSONAL_EMAIL`` (an address, sent through
``TAILOR_SMTP_HOST``). The values of secret-looking environment variables and URL
credentials are removed from every alert (``redaction``).
"""

import json
import os
import smtplib
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from platform_lib.alerts.origin import AlertOrigin
from platform_lib.alerts.redaction import redact
from platform_lib.settings import ui_url

LOG_NAME = "tailor_alerts.log"
PERSONAL_WEBHOOK_ENV = "TAILOR_PERSONAL_WEBHOOK"
PERSONAL_EMAIL_ENV = "TAILOR_PERSONAL_EMAIL"


@dataclass(frozen=True)
class Alert:
    """What failed, for whom, when, and where to look."""

    team: str
    kind: str  # "run failure", "check failure", "freshness"
    subject: str  # the job or the asset(s)
    message: str
    link: str
    origin: AlertOrigin
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def headline(self) -> str:
        """``[team] kind: subject``, and whose run when it is not production's."""
        mark = f" [{self.origin.whose()}]" if self.origin.is_dev else ""
        return f"[{self.team}] {self.kind}: {self.subject}{mark}"

    def text(self) -> str:
        return f"{self.headline()}\n{self.message}\n{self.origin.describe()}\n{self.link}"


@dataclass(frozen=True)
class AlertRoutes:
    """Where one team's alerts go (see the module docstring)."""

    slack_webhook_env: str | None = None
    webhook_env: str | None = None
    emails: tuple[str, ...] = ()
    warn_checks: bool = False
    """Also alert on failed WARN checks (ERROR checks always alert)."""
    group_minutes: float = 60
    """The same failure again within this window (the same asset and failing checks) is
    grouped with the first alert, in the log only; a different failure alerts at once."""


def personal_routes() -> AlertRoutes:
    """The person's own routes, for alerts about their dev runs (see the module docstring)."""
    email = os.environ.get(PERSONAL_EMAIL_ENV, "").strip()
    return AlertRoutes(webhook_env=PERSONAL_WEBHOOK_ENV, emails=(email,) if email else ())


def ui_link(path: str) -> str:
    """A link into the Dagster UI where it serves (``settings.ui_url``) + ``path``."""
    return ui_url() + path


def alert_log(home: Path | None = None) -> Path:
    """The local alert log, under DAGSTER_HOME (or the current folder without one)."""
    return Path(home or os.environ.get("DAGSTER_HOME") or ".") / LOG_NAME


def deliver(
    alert: Alert,
    routes: AlertRoutes,
    *,
    attempts: int = 3,
    first_delay: float = 1.0,
    log: Path | None = None,
) -> dict[str, str]:
    """Send ``alert``, without secrets, on every configured route (the person's instead of
    the team's for a dev run); returns ``{route: "sent" | reason}``."""
    alert = replace(alert, subject=redact(alert.subject), message=redact(alert.message))
    outcomes = {}
    chosen = personal_routes() if alert.origin.is_dev else routes
    for route, send in _senders(chosen).items():
        outcomes[route] = _with_retries(lambda send=send: send(alert), attempts, first_delay)
    _append(log or alert_log(), alert, outcomes)
    return outcomes


def _senders(routes: AlertRoutes) -> dict[str, Callable[[Alert], None]]:
    senders = {}
    slack = os.environ.get(routes.slack_webhook_env or "")
    if slack:
        senders["slack"] = lambda alert: _post(slack, {"text": alert.text()})
    webhook = os.environ.get(routes.webhook_env or "")
    if webhook:
        senders["webhook"] = lambda alert: _post(webhook, asdict(alert))
    if routes.emails:
        senders["email"] = lambda alert: _email(alert, routes.emails)
    return senders


def _with_retries(send: Callable[[], None], attempts: int, first_delay: float) -> str:
    delay, reason = first_delay, ""
    for attempt in range(attempts):
        try:
            send()
            return "sent"
        except Exception as error:  # any transport failure: retry, then report
            reason = f"{type(error).__name__}: {error}"
            if attempt + 1 < attempts:
                time.sleep(delay)
                delay *= 2
    return f"failed after {attempts} attempts ({reason})"


def _post(url: str, payload: dict) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def _email(alert: Alert, recipients: tuple[str, ...]) -> None:
    host = os.environ.get("TAILOR_SMTP_HOST")
    if not host:
        raise RuntimeError("TAILOR_SMTP_HOST is not set")
    message = EmailMessage()
    message["Subject"] = alert.headline()
    message["From"] = os.environ.get("TAILOR_SMTP_FROM", "tailor@localhost")
    message["To"] = ", ".join(recipients)
    message.set_content(alert.text())
    with smtplib.SMTP(host, int(os.environ.get("TAILOR_SMTP_PORT", "25")), timeout=10) as smtp:
        user = os.environ.get("TAILOR_SMTP_USER")
        if user:
            smtp.login(user, os.environ.get("TAILOR_SMTP_PASSWORD", ""))
        smtp.send_message(message)


def log_only(alert: Alert, why: str, log: Path | None = None) -> None:
    """Write ``alert`` to the log only, saying ``why`` it was not sent ("grouped with an
    earlier alert": it repeats a failure alerted on a moment ago)."""
    _write(log or alert_log(), f"{alert.at} [{alert.team}] {why}: "
           f"{alert.subject}, {redact(alert.message)} ({alert.origin.describe()})")  # fmt: skip


def _append(log: Path, alert: Alert, outcomes: dict[str, str]) -> None:
    delivery = ", ".join(f"{route}: {result}" for route, result in outcomes.items())
    _write(log, f"{alert.at} {alert.text()}\n    delivery: {delivery or 'local log only'}\n")


def _write(log: Path, entry: str) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as file:
        file.write(entry + "\n")
