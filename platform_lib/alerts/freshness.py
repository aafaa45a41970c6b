"""The freshness alerts every team gets: an asset that becomes overdue reaches its team.

Dagster's freshness daemon (part of ``dagster dev`` and ``dagster-daemon run``) evaluates
each asset's ``FreshnessPolicy`` and records every change of state. This sensor reads the
latest recorded state of the team's assets and alerts once each time one turns overdue
(``FAIL``); an asset that stays overdue does not alert again until it has recovered. No run
is at fault, so the alert's env, user and sample are those of the process evaluating it
(a dev instance's sensors run in the person's ``make dev TAILOR_ENV=dev``).
"""

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from dagster import AssetKey, FreshnessPolicy, SensorEvaluationContext
from dagster._core.definitions.freshness import (
    CronFreshnessPolicy,
    FreshnessState,
    TimeWindowFreshnessPolicy,
)

from platform_lib.alerts.delivery import Alert, AlertRoutes, deliver, ui_link
from platform_lib.alerts.origin import AlertOrigin


def freshness_evaluation(
    team: str, routes: AlertRoutes, policies: Mapping[AssetKey, FreshnessPolicy]
) -> Callable[[SensorEvaluationContext], None]:
    """The evaluation of the team's freshness sensor over its assets with a policy."""

    def freshness_alerts(context: SensorEvaluationContext) -> None:
        records = context.instance.get_freshness_state_records(list(policies))
        seen = json.loads(context.cursor or "{}")
        for key, record in sorted(records.items(), key=lambda item: item[0].to_user_string()):
            name, changed_at = key.to_user_string(), record.updated_at.timestamp()
            if seen.get(name) == changed_at:
                continue
            seen[name] = changed_at
            if record.freshness_state == FreshnessState.FAIL:
                deliver(_overdue_alert(context, team, key, policies[key]), routes)
        context.update_cursor(json.dumps(seen))

    return freshness_alerts


def _overdue_alert(
    context: SensorEvaluationContext, team: str, key: AssetKey, policy: FreshnessPolicy
) -> Alert:
    latest = context.instance.get_latest_materialization_event(key)
    last = (
        f"last materialized {datetime.fromtimestamp(latest.timestamp, UTC):%Y-%m-%d %H:%M} UTC"
        if latest
        else "never materialized"
    )
    return Alert(
        team,
        "freshness",
        key.to_user_string(),
        f"overdue: {last}; expected {_expectation(policy)}",
        ui_link("/assets/" + "/".join(key.path)),
        AlertOrigin.of_this_process(),
    )


def _expectation(policy: FreshnessPolicy) -> str:
    if isinstance(policy, TimeWindowFreshnessPolicy):
        return f"at least every {_duration(policy.fail_window.to_timedelta())}"
    if isinstance(policy, CronFreshnessPolicy):
        return f"by each '{policy.deadline_cron}' ({policy.timezone})"
    return f"per {type(policy).__name__}"


def _duration(window: timedelta) -> str:
    """``timedelta(hours=26)`` as "1 day 2 hours"."""
    minutes = int(window.total_seconds() // 60)
    amounts = {"day": minutes // 1440, "hour": minutes // 60 % 24, "minute": minutes % 60}
    return " ".join(f"{n} {unit}{'s' if n > 1 else ''}" for unit, n in amounts.items() if n)
