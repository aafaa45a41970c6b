"""What went wrong in a failed run, as an alert says it: each failed step, with the class of
the error the team's code (or the platform on its behalf) raised and the first lines of its
message, hints included. Never a traceback: its frames may show anything.

Dagster records each failure as the run's ``STEP_FAILURE`` event, whose error wraps the
user's exception in its own (``DagsterExecutionStepExecutionError``, ...): the alert reports
the innermost cause instead.
"""

from dagster import DagsterEventType, DagsterInstance
from dagster_shared.error import SerializableErrorInfo

from platform_lib.errors import HINT

MESSAGE_LINES = 4
LINE_CHARS = 300


def step_errors(instance: DagsterInstance, run_id: str) -> list[str]:
    """``step <key>: <Class>: <message>`` for each failed step of the run, in order."""
    return [
        f"step {record.dagster_event.step_key}: "
        + error_summary(record.dagster_event.step_failure_data.error)
        for record in instance.all_logs(run_id, of_type=DagsterEventType.STEP_FAILURE)
        if record.dagster_event is not None
    ]


def error_summary(error: SerializableErrorInfo) -> str:
    """``<Class>: <message>``, the user's error first lines, its hint included."""
    while error.cause is not None and (error.cls_name or "").startswith("Dagster"):
        error = error.cause
    name = error.cls_name or "Error"
    lines = error.message.strip().splitlines() or [""]
    # the message opens with the qualified class name: say it once, by its own name
    first, _, rest = lines[0].partition(": ")
    lines[0] = rest if first.split(".")[-1] == name else lines[0]
    kept = [line[:LINE_CHARS] for line in lines[:MESSAGE_LINES]]
    kept += [line for line in lines[MESSAGE_LINES:] if line.startswith(HINT)]
    text = "\n    ".join(kept)
    return f"{name}: {text}" if text else name
