"""Two runs of one team, each writing its own table, write the team's lake at the same time and
both commit: the rendered deployment holds them apart by no pool (docs/deployment.md)."""

import subprocess
import sys
import textwrap

import yaml
from dagster import AssetKey, DagsterEventType, DagsterInstance

from platform_lib.deploy.render import render
from platform_lib.deploy.settings import DeploySettings
from platform_lib.warehouse.connection import connect_lakes
from platform_lib.warehouse.layout import team_lakes
from platform_lib.warehouse.metadata import VERSION
from platform_lib.workspace.locations import read_workspace
from tests.overlap import most_at_once

TABLES = ("orders", "clients")
ROWS = 1000

# a run of team crm materializing one of its two assets; each asset waits (up to a bound)
# until the other run's asset has started, so runs that may overlap do
RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import pandas as pd
    from dagster import AssetKey, DagsterInstance, asset
    from platform_lib import team_definitions

    marks, instance_dir, own = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

    def table(name, other):
        @asset(name=name)
        def written() -> pd.DataFrame:
            "One row per number written, labelled with its table."
            (marks / name).touch()
            deadline = time.monotonic() + 20
            while not (marks / other).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            return pd.DataFrame({"table": [name] * ROWS, "n": range(ROWS)})
        return written

    ROWS = int(sys.argv[4])
    defs = team_definitions("crm", assets=[table("orders", "clients"), table("clients", "orders")])
    with DagsterInstance.from_config(instance_dir) as instance:
        defs.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=instance, asset_selection=[AssetKey(["crm", own])]
        )
    """
)


def test_two_runs_of_a_team_writing_different_tables_at_once_both_commit(warehouse, tmp_path):
    # the instance runs with the deployment's own concurrency settings, as rendered
    rendered = render(read_workspace(), DeploySettings())
    concurrency = yaml.safe_load(rendered["dagster.yaml"])["concurrency"]
    instance_dir, marks = tmp_path / "instance", tmp_path / "marks"
    instance_dir.mkdir()
    marks.mkdir()
    (instance_dir / "dagster.yaml").write_text(yaml.safe_dump({"concurrency": concurrency}))
    DagsterInstance.from_config(str(instance_dir)).dispose()  # its storage, made once
    script = tmp_path / "run.py"
    script.write_text(RUN)

    runs = [
        subprocess.Popen(
            [sys.executable, str(script), str(marks), str(instance_dir), table, str(ROWS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for table in TABLES
    ]
    for run in runs:
        output, _ = run.communicate(timeout=180)
        assert run.returncode == 0, output[-3000:]

    with DagsterInstance.from_config(str(instance_dir)) as instance:
        records = instance.get_run_records()
        assert len(records) == 2
        steps = [step_span(instance, record.dagster_run.run_id) for record in records]
        versions = {
            key: instance.get_latest_materialization_event(AssetKey(["crm", key]))
            .asset_materialization.metadata[VERSION]
            .value
            for key in TABLES
        }
    assert most_at_once(steps) == 2, f"the two runs' steps did not overlap: {steps}"
    assert len(set(versions.values())) == 2, versions  # two commits, two snapshots

    connection = connect_lakes(team_lakes(warehouse))
    try:
        for table in TABLES:
            assert connection.sql(f"SELECT count(*) FROM crm.{table}").fetchone()[0] == ROWS
    finally:
        connection.close()


def step_span(instance: DagsterInstance, run_id: str) -> tuple[float, float]:
    """When the run's one step started and when it succeeded (its table committed)."""
    kinds = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS}
    events = instance.get_records_for_run(run_id, of_type=kinds).records
    times = {event.event_log_entry.dagster_event_type: event.timestamp for event in events}
    return times[DagsterEventType.STEP_START], times[DagsterEventType.STEP_SUCCESS]
