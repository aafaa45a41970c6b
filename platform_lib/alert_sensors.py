"""The sensors every team gets without writing one: its failed runs and failed checks reach
its alert routes.

- Run failures: Dagster's ``run_failure_sensor`` over the team's code location (runs launched
  from the UI, schedules or automation alike).
- Check failures: a sensor reading the latest execution of each of the team's checks; one
  alert per failed asset of a run, listing its failing checks and their failing-row counts.
  ERROR checks always alert, WARN checks when the team opts in. An asset that keeps failing
  alerts once per ``group_minutes``; the repeats are written to the local log.
"""

import json
import time
from collections.abc import Iterable

from dagster import (
    AssetCheckKey,
    AssetCheckSeverity,
    DefaultSensorStatus,
    RunFailureSensorContext,
    SensorDefinition,
    SensorEvaluationContext,
    run_failure_sensor,
    sensor,
)

from platform_lib.alert_delivery import Alert, AlertRoutes, alert_log, deliver, ui_link


def alert_sensors(
    team: str, routes: AlertRoutes, check_keys: Iterable[AssetCheckKey]
) -> list[SensorDefinition]:
    """The team's run-failure and check-failure alert sensors, running from the start.
    Check failures are read as the latest execution of each of ``check_keys``, which every
    instance storage answers (the local SQLite one cannot page events across runs)."""

    @run_failure_sensor(
        name=f"{team}_run_failure_alerts",
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Sends {team}'s failed runs to its alert routes.",
    )
    def run_failures(context: RunFailureSensorContext) -> None:
        run = context.dagster_run
        assets = sorted(key.to_user_string() for key in run.asset_selection or [])
        subject = f"run of {', '.join(assets)}" if assets else f"job {run.job_name}"
        deliver(
            Alert(team, "run failure", subject, context.failure_event.message or "",
                  ui_link(f"/runs/{run.run_id}")),
            routes,
        )  # fmt: skip

    @sensor(
        name=f"{team}_check_failure_alerts",
        default_status=DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
        description=f"Sends {team}'s failed asset checks to its alert routes.",
    )
    def check_failures(context: SensorEvaluationContext) -> None:
        latest = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(
            list(check_keys)
        )
        executions = {
            key.to_user_string(): record for key, record in latest.items() if record is not None
        }
        if not context.cursor:  # first tick: start from now, not from history
            seen = {name: record.id for name, record in executions.items()}
            context.update_cursor(json.dumps({"seen": seen, "alerted": {}}))
            return
        state = json.loads(context.cursor)
        failures: dict[tuple[str, str], list[str]] = {}
        for name, record in executions.items():
            if state["seen"].get(name) == record.id or record.status.value != "FAILED":
                continue
            evaluation = record.event.dagster_event.event_specific_data
            if evaluation.severity == AssetCheckSeverity.WARN and not routes.warn_checks:
                continue
            rows = evaluation.metadata.get("failing_rows")
            detail = f" ({rows.value} failing rows)" if rows is not None else ""
            key = (evaluation.asset_key.to_user_string(), record.run_id)
            failures.setdefault(key, []).append(f"{evaluation.check_name}{detail}")
        alerted = state["alerted"]
        for (asset, run_id), checks in failures.items():
            alert = Alert(team, "check failure", asset, "failed: " + ", ".join(sorted(checks)),
                          ui_link(f"/runs/{run_id}"))  # fmt: skip
            if time.time() - alerted.get(asset, 0) < routes.group_minutes * 60:
                with alert_log().open("a") as log:
                    log.write(f"{alert.at} [{team}] grouped with an earlier alert: {asset}\n")
                continue
            deliver(alert, routes)
            alerted[asset] = time.time()
        seen = {name: record.id for name, record in executions.items()}
        context.update_cursor(json.dumps({"seen": seen, "alerted": alerted}))

    return [run_failures, check_failures]
