"""The run-failure alerts every team gets: Dagster's ``run_failure_sensor`` over the team's
code location, so runs launched from the UI, a schedule or automation alike reach it. The
alert names each failed step and its error (``step_errors``), and whose run it was, from the
run's tags (``origin``).

A run whose every failed step broke its contract (``errors.BROKEN_CONTRACT``) alerts no more:
the check-failure alert already names the failing checks and their rows, with the link to
the run; the local log says the run was covered by it. The same failure again (the same
subject, the same failed steps with the same error classes) within the team's
``group_minutes`` is written to the log only (``grouping``)."""

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    SensorDefinition,
    run_failure_sensor,
)

from platform_lib.alerts.delivery import Alert, AlertRoutes, log_only, ui_link
from platform_lib.alerts.grouping import groups_file, read_groups, send_or_group, write_groups
from platform_lib.alerts.origin import AlertOrigin
from platform_lib.alerts.step_errors import StepError, error_summary, step_errors


def run_failure_alerts(team: str, routes: AlertRoutes) -> SensorDefinition:
    """The team's run-failure sensor, running from the start."""

    @run_failure_sensor(
        name=f"{team}_run_failure_alerts",
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Sends {team}'s failed runs to its alert routes.",
    )
    def run_failures(context: RunFailureSensorContext) -> None:
        run = context.dagster_run
        selected = sorted(key.to_user_string() for key in run.asset_selection or [])
        subject = f"run of {', '.join(selected)}" if selected else f"job {run.job_name}"
        failed_steps = step_errors(context.instance, run.run_id)
        alert = Alert(team, "run failure", subject, _what_failed(context, failed_steps),
                      ui_link(f"/runs/{run.run_id}"), AlertOrigin.of_run(run.tags))  # fmt: skip
        if failed_steps and all(step.broke_contract for step in failed_steps):
            log_only(alert, "covered by the check-failure alert")
            return
        # the steps and error classes, not the message: it may quote a run's ids
        causes = [f"{step.step} {step.cls_name}" for step in failed_steps]
        reason = f"{subject}: {', '.join(causes) or alert.message.partition(':')[0]}"
        path = groups_file(team)
        alerted = read_groups(path)
        send_or_group(alert, reason, routes, alerted)
        write_groups(path, alerted, routes)

    return run_failures


def _what_failed(context: RunFailureSensorContext, failed_steps: list[StepError]) -> str:
    """Each failed step and its error; a run that failed outside any step (its code did not
    load, it was refused) says why as Dagster recorded it."""
    if failed_steps:
        return "\n".join(step.summary() for step in failed_steps)
    failure = context.failure_event
    error = failure.job_failure_data.error if failure.job_failure_data else None
    return error_summary(error) if error else failure.message or "the run failed"
