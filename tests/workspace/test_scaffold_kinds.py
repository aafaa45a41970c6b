"""`tailor new-asset --kind sql|polars`: the scaffolded asset reads another team's table
lazily, passes its own tests and `tailor check`, and materializes with its checks and its
row count, through the real entry point in a copy of the repository."""

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent

MATERIALIZE = """
import json
from dagster import DagsterInstance
from teams.pricing.definitions import defs
result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
    instance=DagsterInstance.ephemeral()
)
print(json.dumps({
    name: {
        "rows": result.asset_materializations_for_node(name)[0].metadata[
            "dagster/row_count"].value,
        "checks": sorted(
            (check.check_name, check.passed) for check in result.get_asset_check_evaluations()
            if check.asset_key.path[-1] == name
        ),
    }
    for name in ("margins", "costs")
}))
"""


def run(copy: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        list(command),
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy), "DAGSTER_HOME": str(copy / ".home")},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_sql_and_polars_assets_read_another_teams_table_and_materialize(
    repo_copy, materialize_workspace, read_table
):
    materialize_workspace()  # merchandising/inventory is in the lake
    copy = repo_copy
    (copy / ".home").mkdir()
    assert run(copy, str(BIN / "tailor"), "new-team", "pricing").returncode == 0
    for name, kind in (("margins", "sql"), ("costs", "polars")):
        added = run(
            copy, str(BIN / "tailor"), "new-asset", "pricing", name, "--kind", kind,
            "--reads", "merchandising/inventory",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    margins = (copy / "teams/pricing/margins.py").read_text()
    assert "def margins(\n    inventory: duckdb.DuckDBPyRelation,\n) -> duckdb.Duck" in margins
    assert "return duckdb.sql(" in margins and "FROM inventory" in margins
    assert (
        "def costs(\n    inventory: pl.LazyFrame,\n) -> pl.LazyFrame:"
        in (copy / "teams/pricing/costs.py").read_text()
    )
    tested = run(copy, str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "teams/pricing/tests")
    assert "4 passed" in tested.stdout, tested.stdout  # logic and wiring, for each
    checked = run(copy, str(BIN / "tailor"), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    linted = run(copy, str(BIN / "ruff"), "check", "teams/pricing")
    formatted = run(copy, str(BIN / "ruff"), "format", "--check", "teams/pricing")
    assert linted.returncode == 0 and formatted.returncode == 0, linted.stdout + formatted.stdout

    materialized = run(copy, str(BIN / "python"), "-c", MATERIALIZE)
    assert materialized.returncode == 0, materialized.stderr[-3000:]
    outcome = json.loads(materialized.stdout.strip().splitlines()[-1])
    inventory_rows = len(read_table("merchandising.inventory"))
    for name in ("margins", "costs"):
        assert outcome[name]["rows"] == 1, name
        checks = dict(outcome[name]["checks"])
        assert checks and all(checks.values()), (name, checks)
        assert "item_unique" in checks and "not_empty" in checks, checks
        table = read_table(f"pricing.{name}")
        assert table.to_dict("records") == [
            {"item": "merchandising/inventory", "value": float(inventory_rows)}
        ]
