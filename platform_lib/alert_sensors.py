"""The sensors every team gets without writing one: its failed runs and failed checks reach
its alert routes.

- Run failures: Dagster's ``run_failure_sensor`` over the team's code location (runs launched
  from the UI, schedules or automation alike).
- Overdue assets: ``freshness_alerts.overdue_assets`` over the assets with a policy.
- Check failures: a sensor reading the latest execution of each of the team's checks; one
  alert per failed asset of a run, listing its failing checks and their failing-row counts.
  ERROR checks always alert, WARN checks when the team opts in. An asset that keeps failing
  alerts once per ``group_minutes``; the repeats are written to the local log.
"""

import json
import time
from collections.abc import Callable, Iterable

from dagster import (
    AssetCheckSeverity,
    AssetsDefinition,
    DefaultSensorStatus,
    RunFailureSensorContext,
    SensorDefinition,
    SensorEvaluationContext,
    run_failure_sensor,
    sensor,
)

from platform_lib.alert_delivery import Alert, AlertRoutes, alert_log, deliver, ui_link
from platform_lib.freshness_alerts import overdue_assets


def alert_sensors(
    team: str, routes: AlertRoutes, assets: Iterable[AssetsDefinition]
) -> list[SensorDefinition]:
    """The team's run-failure and check-failure alert sensors, and its freshness sensor when
    any of its ``assets`` has a FreshnessPolicy; all running from the start."""
    assets = list(assets)
    check_keys = [spec.key for asset in assets for spec in asset.check_specs]
    policies = {
        spec.key: spec.freshness_policy
        for asset in assets
        for spec in asset.specs
        if spec.freshness_policy is not None
    }

    @run_failure_sensor(
        name=f"{team}_run_failure_alerts",
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Sends {team}'s failed runs to its alert routes.",
    )
    def run_failures(context: RunFailureSensorContext) -> None:
        run = context.dagster_run
        selected = sorted(key.to_user_string() for key in run.asset_selection or [])
        subject = f"run of {', '.join(selected)}" if selected else f"job {run.job_name}"
        deliver(
            Alert(team, "run failure", subject, context.failure_event.message or "",
                  ui_link(f"/runs/{run.run_id}")),
            routes,
        )  # fmt: skip

    def check_failures(context: SensorEvaluationContext) -> None:
        # the latest execution of each check: every instance storage answers that (the local
        # SQLite one cannot page events across runs)
        latest = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(
            list(check_keys)
        )
        executions = {
            key.to_user_string(): record for key, record in latest.items() if record is not None
        }
        state = json.loads(context.cursor or '{"seen": {}, "alerted": {}}')
        # an execution counts as seen once it has a result: a planned one is updated in place
        seen = {
            name: record.id if record.status.value != "PLANNED" else state["seen"].get(name)
            for name, record in executions.items()
        }
        if not context.cursor:  # first tick: start from now, not from history
            context.update_cursor(json.dumps({"seen": seen, "alerted": {}}))
            return
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
        context.update_cursor(json.dumps({"seen": seen, "alerted": alerted}))

    sensors = [
        run_failures,
        _polling_sensor(f"{team}_check_failure_alerts", f"{team}'s failed checks", check_failures),
    ]
    if policies:  # a team with no FreshnessPolicy has nothing to watch
        sensors.append(
            _polling_sensor(
                f"{team}_freshness_alerts",
                f"{team}'s overdue assets (FreshnessPolicy)",
                overdue_assets(team, routes, policies),
            )
        )
    return sensors


def _polling_sensor(
    name: str, what: str, evaluate: Callable[[SensorEvaluationContext], None]
) -> SensorDefinition:
    """A sensor running ``evaluate`` every 30 seconds, on from the start."""
    return sensor(
        name=name,
        default_status=DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
        description=f"Sends {what} to its alert routes.",
    )(evaluate)
