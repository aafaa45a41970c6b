"""How each team's assets are doing, read from the Dagster instance (``tailor status``)."""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dagster import AssetCheckKey, DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from platform_lib.environment.run_environment import SAMPLE_TAG, recorded_labels
from platform_lib.errors import TailorError
from platform_lib.settings import dagster_home
from platform_lib.workspace.locations import CodeLocation, own_asset_specs

DAY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class InstanceChoice:
    """Which Dagster instance ``tailor status`` reads, and why that one."""

    home: Path
    environment: str
    reason: str

    def describe(self) -> str:
        return f"Dagster instance {self.home} ({self.reason}); env {self.environment}"


def choose_instance(root: Path, environment: str, from_flag: bool) -> InstanceChoice:
    """``--env`` given: the instance ``make dev TAILOR_ENV=<env>`` uses in ``root``. Else
    ``$DAGSTER_HOME`` when set, else the one of ``environment`` (``$TAILOR_ENV``)."""
    if os.environ.get("DAGSTER_HOME") and not from_flag:
        return InstanceChoice(Path(os.environ["DAGSTER_HOME"]), environment, "$DAGSTER_HOME")
    return InstanceChoice(
        dagster_home(root, environment), environment, f"make dev's for TAILOR_ENV={environment}"
    )


def open_instance(choice: InstanceChoice) -> DagsterInstance:
    """The chosen instance, which must exist: its ``dagster.yaml`` (``make dev`` writes one)
    or the run history of one used without it."""
    if not any((choice.home / name).exists() for name in ("dagster.yaml", "history")):
        make = "make dev" + (" TAILOR_ENV=dev" if choice.environment == "dev" else "")
        raise TailorError(
            f"No Dagster instance in {choice.home} ({choice.reason}).",
            f"run `{make}` once to create it, or set DAGSTER_HOME to an instance's folder",
        )
    return DagsterInstance.from_config(str(choice.home))


CHECKS_FAILING = (
    "checks whose latest evaluation failed (+ those not run: their latest run failed first)"
)


def team_status(
    locations: list[CodeLocation],
    instance: DagsterInstance,
    loading: Callable[[str], None] = lambda team: None,
) -> list[dict]:
    """One row per team: its latest materialization (asset, when, age, the sample it was
    computed from), assets never materialized, checks failing and checks not run (see
    ``CHECK_COLUMNS``), and failed runs in the last 24 hours. ``loading`` hears each team before its
    location loads."""
    now = time.time()
    failed_runs = _teams_of_failed_runs(instance, now - DAY_SECONDS)
    rows = []
    for location in locations:
        loading(location.name)
        defs = location.load()
        team = location.name
        keys = [spec.key for spec in own_asset_specs(team, defs)]
        latest = {key: instance.get_latest_materialization_event(key) for key in keys}
        stamped = {key: event.timestamp for key, event in latest.items() if event is not None}
        newest = max(stamped, key=stamped.get) if stamped else None
        rows.append(
            {
                "team": team,
                "latest": newest.to_user_string() if newest else None,
                "materialized_at": _when(stamped[newest]) if newest else None,
                "age_seconds": round(now - stamped[newest]) if newest else None,
                "sample": _sample(latest[newest]) if newest else None,
                "never_materialized": len(keys) - len(stamped),
                **_check_counts(instance, defs, team),
                "failed_runs_24h": sum(team in teams for teams in failed_runs.values()),
            }
        )
    return rows


def as_table_row(row: dict, wide: bool) -> dict:
    """A row of team_status as the table shows it: the latest asset without its team (the
    row names it), ``age`` as ``11m`` where JSON has ``age_seconds``, checks not run beside
    those failing (``1 (+42 not run)``), and materialized_at only when ``wide`` (the age
    says when)."""
    seconds, not_run = row["age_seconds"], row["checks_not_run"]
    readable = {
        "latest": row["latest"].split("/", 1)[-1] if row["latest"] else None,
        "age_seconds": _age(seconds) if seconds is not None else None,
        "checks_failing": f"{row['checks_failing']}{f' (+{not_run} not run)' if not_run else ''}",
    }
    names = {"age_seconds": "age"}
    return {
        names.get(key, key): readable.get(key, value)
        for key, value in row.items()
        if (wide or key != "materialized_at") and key != "checks_not_run"
    }


def _when(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _sample(event) -> str:
    """The sample a materialization was computed from, as it recorded it."""
    return recorded_labels(event.asset_materialization.metadata)[SAMPLE_TAG]


def _check_counts(instance: DagsterInstance, defs, team: str) -> dict[str, int]:
    """The team's checks by their latest execution: failed, or still planned in a run that
    failed (never evaluated; the UI shows them as EXECUTION_FAILED)."""
    check_keys = [
        AssetCheckKey(spec.asset_key, spec.name)
        for assets in defs.assets or []
        if hasattr(assets, "check_specs")
        for spec in assets.check_specs
        if spec.asset_key.path[0] == team
    ]
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    records = [record for record in latest.values() if record is not None]
    planned = {record.run_id for record in records if record.status.value == "PLANNED"}
    failed_runs = (
        {
            run.run_id
            for run in instance.get_runs(
                filters=RunsFilter(run_ids=list(planned), statuses=[DagsterRunStatus.FAILURE])
            )
        }
        if planned
        else set()
    )
    return {
        "checks_failing": sum(record.status.value == "FAILED" for record in records),
        "checks_not_run": sum(
            record.status.value == "PLANNED" and record.run_id in failed_runs for record in records
        ),
    }


def _teams_of_failed_runs(instance: DagsterInstance, since: float) -> dict[str, set[str]]:
    """The teams whose assets each run that failed since ``since`` set out to materialize
    (from its planned materializations: a run launched without a selection records none)."""
    runs = instance.get_runs(
        filters=RunsFilter(
            statuses=[DagsterRunStatus.FAILURE],
            created_after=datetime.fromtimestamp(since, tz=UTC),
        )
    )
    return {
        run.run_id: {
            record.dagster_event.asset_key.path[0]
            for record in instance.all_logs(
                run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED
            )
        }
        for run in runs
    }


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    if seconds < 2 * DAY_SECONDS:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / DAY_SECONDS:.0f}d"
