"""The run-failure alerts every team gets: Dagster's ``run_failure_sensor`` over the team's
code location, so runs launched from the UI, a schedule or automation alike reach it. The
alert names each failed step and its error (``step_errors``), and whose run it was, from the
run's tags (``origin``)."""

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    SensorDefinition,
    run_failure_sensor,
)

from platform_lib.alerts.delivery import Alert, AlertRoutes, deliver, ui_link
from platform_lib.alerts.origin import AlertOrigin
from platform_lib.alerts.step_errors import error_summary, step_errors


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
        deliver(
            Alert(team, "run failure", subject, _what_failed(context),
                  ui_link(f"/runs/{run.run_id}"), AlertOrigin.of_run(run.tags)),
            routes,
        )  # fmt: skip

    return run_failures


def _what_failed(context: RunFailureSensorContext) -> str:
    """Each failed step and its error; a run that failed outside any step (its code did not
    load, it was refused) says why as Dagster recorded it."""
    failed_steps = step_errors(context.instance, context.dagster_run.run_id)
    if failed_steps:
        return "\n".join(failed_steps)
    failure = context.failure_event
    error = failure.job_failure_data.error if failure.job_failure_data else None
    return error_summary(error) if error else failure.message or "the run failed"
