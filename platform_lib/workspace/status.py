"""How each team's assets are doing, read from the Dagster instance (``tailor status``)."""

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from dagster import AssetCheckKey, DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from platform_lib.errors import TailorError
from platform_lib.workspace.locations import CodeLocation, own_asset_specs

DAY_SECONDS = 24 * 3600


def local_instance(root: Path) -> DagsterInstance:
    """The instance in $DAGSTER_HOME, else the one `make dev` keeps in .dagster_home/."""
    if os.environ.get("DAGSTER_HOME"):
        return DagsterInstance.get()
    if (root / ".dagster_home" / "dagster.yaml").exists():
        return DagsterInstance.from_config(str(root / ".dagster_home"))
    raise TailorError(
        "No Dagster instance to read: set DAGSTER_HOME, or run `make dev` once to create "
        ".dagster_home/."
    )


def team_status(locations: list[CodeLocation], instance: DagsterInstance) -> list[dict]:
    """One row per team: latest materialization and its age, assets never materialized,
    checks failing at their latest evaluation, and failed runs in the last 24 hours."""
    now = time.time()
    failed_runs = _teams_of_failed_runs(instance, now - DAY_SECONDS)
    rows = []
    for location in locations:
        defs = location.load()
        team = location.name
        keys = [spec.key for spec in own_asset_specs(team, defs)]
        latest = {key: instance.get_latest_materialization_event(key) for key in keys}
        stamped = {key: event.timestamp for key, event in latest.items() if event is not None}
        newest = max(stamped, key=stamped.get) if stamped else None
        rows.append(
            {
                "team": team,
                "latest": newest.to_user_string() if newest else "-",
                "age": _age(now - stamped[newest]) if newest else "never",
                "never_materialized": len(keys) - len(stamped),
                "failing_checks": _failing_checks(instance, defs, team),
                "failed_runs_24h": sum(team in teams for teams in failed_runs.values()),
            }
        )
    return rows


def _failing_checks(instance: DagsterInstance, defs, team: str) -> int:
    check_keys = [
        AssetCheckKey(spec.asset_key, spec.name)
        for assets in defs.assets or []
        if hasattr(assets, "check_specs")
        for spec in assets.check_specs
        if spec.asset_key.path[0] == team
    ]
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    return sum(
        1 for record in latest.values() if record is not None and record.status.value == "FAILED"
    )


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
