"""The benchmarks' DuckDB-file warehouse (bench/duckdb_file_warehouse.py) stays runnable: the
three teams materialize with it swapped in, each team's tables in one DuckDB file."""

import json
import subprocess
import sys

from platform_lib.settings import REPO_ROOT
from platform_lib.workspace.locations import read_workspace


def test_the_three_teams_run_on_the_duckdb_file_baseline(landing_zone):
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "bench" / "team_throughput.py"),
         "--case", "duckdb_file", "--landing", str(landing_zone)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    teams = sorted(location.name for location in read_workspace())
    assert figures["stored"] == [f"{team}.duckdb" for team in teams]  # no lake
    steps = {key.split("/")[0] for key in figures if "/" in key}
    assert steps == set(teams)  # every team's assets ran and were stored
