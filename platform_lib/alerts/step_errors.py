"""What went wrong in a failed run, as an alert says it: each failed step, with the class of
the error the team's code (or the platform on its behalf) raised and the first lines of its
message, each cut at a word, hints always whole. Never a traceback: its frames may show
anything.

Dagster records each failure as the run's ``STEP_FAILURE`` event, whose error wraps the
user's exception in its own (``DagsterExecutionStepExecutionError``, ...): the alert reports
the innermost cause instead.
"""

from dataclasses import dataclass

from dagster import DagsterEventType, DagsterInstance
from dagster_shared.error import SerializableErrorInfo

from platform_lib.errors import BROKEN_CONTRACT, HINT

MESSAGE_LINES = 4
LINE_CHARS = 600
ELLIPSIS = "…"


@dataclass(frozen=True)
class StepError:
    """A failed step of a run and the error its code raised (the innermost cause)."""

    step: str
    error: SerializableErrorInfo
    broke_contract: bool = False
    """The step failed only because its data broke a blocking check of its contract."""

    @property
    def cls_name(self) -> str:
        return self.error.cls_name or "Error"

    def summary(self) -> str:
        """``step <key>: <Class>: <message>``."""
        return f"step {self.step}: {error_summary(self.error)}"


def step_errors(instance: DagsterInstance, run_id: str) -> list[StepError]:
    """Each failed step of the run, in order."""
    failures = [
        (record.dagster_event.step_key, record.dagster_event.step_failure_data)
        for record in instance.all_logs(run_id, of_type=DagsterEventType.STEP_FAILURE)
        if record.dagster_event is not None
    ]
    return [
        StepError(step, _innermost(failure.error), _broke_contract(failure.user_failure_data))
        for step, failure in failures
    ]


def _broke_contract(user_failure) -> bool:
    """Whether the step raised the contract's ``Failure`` (``BROKEN_CONTRACT`` metadata)."""
    return user_failure is not None and BROKEN_CONTRACT in (user_failure.metadata or {})


def error_summary(error: SerializableErrorInfo) -> str:
    """``<Class>: <message>``, the user's error first lines, its hint included."""
    error = _innermost(error)
    name = error.cls_name or "Error"
    lines = error.message.strip().splitlines() or [""]
    # the message opens with the qualified class name: say it once, by its own name
    first, _, rest = lines[0].partition(": ")
    lines[0] = rest if first.split(".")[-1] == name else lines[0]
    kept = [line if line.startswith(HINT) else _cut(line) for line in lines[:MESSAGE_LINES]]
    kept += [line for line in lines[MESSAGE_LINES:] if line.startswith(HINT)]
    text = "\n    ".join(kept)
    return f"{name}: {text}" if text else name


def _innermost(error: SerializableErrorInfo) -> SerializableErrorInfo:
    """The user's error inside Dagster's wrappers."""
    while error.cause is not None and (error.cls_name or "").startswith("Dagster"):
        error = error.cause
    return error


def _cut(line: str) -> str:
    """``line``, or its first words within ``LINE_CHARS`` and an ellipsis."""
    if len(line) <= LINE_CHARS:
        return line
    space = line.rfind(" ", 0, LINE_CHARS + 1)
    return (line[:space] if space > 0 else line[:LINE_CHARS]).rstrip(" ,;:") + ELLIPSIS
