"""Grouping: the same failure again within the team's ``group_minutes`` is written to the
local log only; a failure for another reason alerts at once.

A failure is known by its reason (the asset and its failing checks; the run's subject, its
failed steps and their error classes, never the message, which may quote ids). When each
reason last alerted is kept by the sensor: in its cursor for the check-failure sensor; for
the run-failure sensor, whose cursor Dagster's ``run_status_sensor`` keeps for itself, in a
small JSON file per team next to the alert log (``GROUPS_FILE``).
"""

import json
import os
import time
from pathlib import Path

from platform_lib.alerts.delivery import Alert, AlertRoutes, alert_log, deliver, log_only

GROUPS_FILE = "tailor_alert_groups_{team}.json"


def send_or_group(
    alert: Alert, reason: str, routes: AlertRoutes, alerted: dict[str, float]
) -> None:
    """Deliver ``alert`` unless ``reason`` alerted (per ``alerted``, its last times) within the
    team's window, else log it as grouped; ``alerted`` then records the delivery."""
    if time.time() - alerted.get(reason, 0) < routes.group_minutes * 60:
        log_only(alert, "grouped with an earlier alert")
        return
    deliver(alert, routes)
    alerted[reason] = time.time()


def groups_file(team: str) -> Path:
    """Where the team's run-failure sensor keeps when each reason last alerted."""
    return alert_log().parent / GROUPS_FILE.format(team=team)


def read_groups(path: Path) -> dict[str, float]:
    """The reasons and their last alert times in ``path``; none when it is missing or torn."""
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return {}


def write_groups(path: Path, alerted: dict[str, float], routes: AlertRoutes) -> None:
    """Replace ``path`` (atomically) with the reasons still within the window."""
    since = time.time() - routes.group_minutes * 60
    recent = {reason: at for reason, at in alerted.items() if at >= since}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(recent))
    partial.replace(path)
