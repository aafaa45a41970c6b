"""Execution defaults: a team's run stays in one process; a ParallelJob runs independent
assets in parallel processes that take turns writing the team's database; loading a code
location does no work."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
from dagster import AssetsDefinition, DagsterInstance, asset

from platform_lib import ParallelJob, team_definitions
from platform_lib.settings import LANDING_ENV, REPO_ROOT, WAREHOUSE_ENV
from platform_lib.workspace.locations import read_workspace
from tests.overlap import most_at_once

SLOW_TEAM = textwrap.dedent(
    """
    import os, time
    import pandas as pd
    from dagster import asset
    from platform_lib import ParallelJob, team_definitions

    def slow(name):
        @asset(name=name)
        def work() -> pd.DataFrame:
            '''Two seconds of work, stamped with the process and the time.'''
            started = time.time()
            time.sleep(2)
            return pd.DataFrame({"pid": [os.getpid()], "start": [started], "end": [time.time()]})
        return work

    defs = team_definitions(
        "ops",
        assets=[slow("left"), slow("middle"), slow("right")],
        jobs=[ParallelJob("two_at_a_time", max_concurrent=2)],
    )
    """
)


def test_a_parallel_job_runs_independent_assets_in_parallel_up_to_its_cap(tmp_path, read_table):
    module = tmp_path / "ops_defs.py"
    module.write_text(SLOW_TEAM)
    home = tmp_path / "home"
    home.mkdir()
    DagsterInstance.from_config(str(home)).dispose()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "job", "execute", "-f", str(module),
         "-j", "two_at_a_time"],
        env={**os.environ, "DAGSTER_HOME": str(home), WAREHOUSE_ENV: os.environ[WAREHOUSE_ENV]},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    rows = [read_table(f"ops.{name}").iloc[0] for name in ("left", "middle", "right")]
    assert len({row["pid"] for row in rows}) == 3  # a process per step
    assert most_at_once([(row["start"], row["end"]) for row in rows]) == 2  # parallel, capped


def test_team_runs_default_to_one_process_and_parallel_jobs_carry_their_cap():
    defs = team_definitions("ops", assets=[], jobs=[ParallelJob("all", max_concurrent=3)])
    assert defs.executor.name == "in_process"
    job = defs.resolve_job_def("all")
    assert job.executor_def.name == "multiprocess"
    assert job.tags["team"] == "ops"


def test_loading_every_code_location_touches_no_data(tmp_path):
    """Importing the workspace must not read the landing zone, open the warehouse or create
    anything: both point at folders that do not exist, and still do afterwards."""
    missing = tmp_path / "nothing_here"
    script = (
        "from platform_lib.workspace.locations import read_workspace\n"
        "for location in read_workspace():\n"
        "    location.load().resolve_asset_graph()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env={**os.environ, WAREHOUSE_ENV: str(missing / "wh"), LANDING_ENV: str(missing / "l")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert not missing.exists()
    assert len(read_workspace()) == 3


def test_team_assets_are_in_no_pool_unless_they_chose_one():
    # the lake takes a team's writers at once: no warehouse pool holds its runs apart
    for location in read_workspace():
        for definition in location.load().assets:
            if isinstance(definition, AssetsDefinition) and definition.is_executable:
                assert definition.node_def.pool is None, definition.key

    @asset(pool="gpu")
    def model() -> pd.DataFrame:
        """A model trained on the shared GPU."""
        return pd.DataFrame({"x": [1]})

    (own,) = team_definitions("crm", assets=[model]).assets
    assert own.node_def.pool == "gpu"
