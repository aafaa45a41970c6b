"""The check-failure alerts every team gets: a failed check reaches its team.

The sensor reads the latest execution of each of the team's checks, and alerts once per
failed asset of a run, listing its failing checks and their failing-row counts. ERROR
checks always alert, WARN checks when the team opts in (``AlertRoutes.warn_checks``). The
same failure again (the same asset, the same failing checks) within ``group_minutes`` is
written to the local log only; an asset failing for another reason alerts at once
(``grouping``). Whose run it was (env, user, sample, how it was launched) comes from the
run's tags (``origin``).
"""

import json
from collections.abc import Callable, Sequence

from dagster import AssetCheckKey, AssetCheckSeverity, SensorEvaluationContext

from platform_lib.alerts.delivery import Alert, AlertRoutes, ui_link
from platform_lib.alerts.grouping import send_or_group
from platform_lib.alerts.origin import AlertOrigin
from platform_lib.wording import counted


def check_failure_evaluation(
    team: str, routes: AlertRoutes, check_keys: Sequence[AssetCheckKey]
) -> Callable[[SensorEvaluationContext], None]:
    """The evaluation of the team's check-failure sensor over its ``check_keys``."""

    def check_failure_alerts(context: SensorEvaluationContext) -> None:
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
        failures: dict[tuple[str, str], dict[str, str]] = {}
        for name, record in executions.items():
            if state["seen"].get(name) == record.id or record.status.value != "FAILED":
                continue
            evaluation = record.event.dagster_event.event_specific_data
            if evaluation.severity == AssetCheckSeverity.WARN and not routes.warn_checks:
                continue
            detail = _why(evaluation.metadata)
            key = (evaluation.asset_key.to_user_string(), record.run_id)
            failures.setdefault(key, {})[evaluation.check_name] = detail
        alerted = state["alerted"]
        for (asset, run_id), checks in failures.items():
            run = context.instance.get_run_by_id(run_id)
            alert = Alert(
                team,
                "check failure",
                asset,
                "failed: " + ", ".join(name + checks[name] for name in sorted(checks)),
                ui_link(f"/runs/{run_id}"),
                AlertOrigin.of_run(run.tags if run else None),
            )
            reason = f"{asset}: {', '.join(sorted(checks))}"  # a repeat fails the same checks
            send_or_group(alert, reason, routes, alerted)
        context.update_cursor(json.dumps({"seen": seen, "alerted": alerted}))

    return check_failure_alerts


def _why(metadata: dict) -> str:
    """`` (3 failing rows)`` for a check on rows, `` (<detail>)`` for a verdict on a column
    (a dtype check), else ``""``."""
    rows, detail = metadata.get("failing_rows"), metadata.get("detail")
    if rows is not None:
        return f" ({counted(rows.value, 'failing row')})"
    return f" ({detail.value})" if detail is not None else ""
