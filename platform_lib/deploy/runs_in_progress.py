"""Ending the runs in progress when the single-host profile stops.

A run is a process of its own and outlives its code server; stopping the host would leave
it *Started* forever, holding its team's place in the queue (Dagster's default launcher
cannot see a run's process die). So on stop each run in progress is terminated through
Dagster (its code server interrupts it, and it records itself canceled); one that cannot
be reached is recorded canceled, with the reason. Queued runs stay queued for next time.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from dagster import DagsterInstance, RunsFilter
from dagster._core.storage.dagster_run import ACTIVE_RUN_STATUSES

UNREACHED = "Tailor stopped while this run was in progress, and its process did not answer."


def cancel_runs_in_progress(
    instance: DagsterInstance, say: Callable[[str], None], timeout: float = 60
) -> None:
    """Terminate every run in progress, and return once all have ended."""
    runs = instance.get_runs(RunsFilter(statuses=ACTIVE_RUN_STATUSES))
    for run in runs:
        say(f"  canceling run {run.run_id} ({run.tags.get('dagster/code_location', '?')})")
        with contextlib.suppress(Exception):  # its code server is gone: recorded below
            instance.run_launcher.terminate(run.run_id)
    deadline = time.monotonic() + timeout
    pending = [run.run_id for run in runs]
    while pending and time.monotonic() < deadline:
        time.sleep(1)
        pending = [run_id for run_id in pending if not _finished(instance, run_id)]
    for run_id in pending:
        instance.report_run_canceled(instance.get_run_by_id(run_id), message=UNREACHED)


def _finished(instance: DagsterInstance, run_id: str) -> bool:
    run = instance.get_run_by_id(run_id)
    return run is None or run.is_finished
