"""`tailor new-team` and `tailor new-asset` through the real entry point, in temporary copies
of the repository: what they create works, and a refusal or failure changes nothing."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def run(copy: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        list(command),
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy), "DAGSTER_HOME": str(copy / ".home")},
        capture_output=True,
        text=True,
        timeout=300,
    )


def tree(copy: Path) -> dict[str, str]:
    return {
        str(path.relative_to(copy)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(copy.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and ".home" not in path.parts
    }


PRINT_DEPS = """
from teams.%s.definitions import defs
(spec,) = [s for s in defs.resolve_all_asset_specs() if s.key.to_user_string() == "%s"]
print(*sorted(dep.asset_key.to_user_string() for dep in spec.deps))
"""


@pytest.fixture
def copy(repo_copy) -> Path:
    (repo_copy / ".home").mkdir()
    return repo_copy


def test_a_new_team_is_a_working_code_location_with_a_passing_test(copy):
    before = (copy / "workspace.yaml").read_text()
    created = run(copy, str(BIN / "tailor"), "new-team", "pricing")
    assert created.returncode == 0, created.stderr
    assert "tailor new-asset pricing" in created.stdout  # next steps
    assert "make snapshots" in created.stdout  # the new team changes the pinned asset specs
    # a running make dev reads workspace.yaml once (tests/e2e/test_dev_loop.py proves it)
    assert "Already running? Stop it\n" in created.stdout
    assert "(Ctrl-C) and run make dev again" in created.stdout
    workspace = (copy / "workspace.yaml").read_text()
    assert workspace.startswith(before)  # comments and order kept, the team appended
    assert "location_name: pricing" in workspace
    assert 'webhook_env="PRICING_ALERT_WEBHOOK"' in (copy / "teams/pricing/alerts.py").read_text()
    validated = run(copy, str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml")
    assert validated.returncode == 0, validated.stdout[-2000:] + validated.stderr[-2000:]
    assert "Validation successful for code location pricing" in validated.stdout + validated.stderr
    tested = run(copy, str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "teams/pricing/tests")
    assert tested.returncode == 0 and "1 passed" in tested.stdout, tested.stdout
    checked = run(copy, str(BIN / "tailor"), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = run(copy, str(BIN / "ruff"), "format", "--check", "teams/pricing")
    linted = run(copy, str(BIN / "ruff"), "check", "teams/pricing")
    assert formatted.returncode == 0 and linted.returncode == 0, formatted.stdout + linted.stdout


def test_a_new_asset_is_listed_in_its_teams_definitions_and_tested(copy):
    assert run(copy, str(BIN / "tailor"), "new-team", "pricing").returncode == 0
    added = run(copy, str(BIN / "tailor"), "new-asset", "pricing", "margins")
    assert added.returncode == 0, added.stderr
    assert "Reload the pricing code location" in added.stdout  # the edit, reload loop
    # a running make dev started before new-team has no pricing location to reload
    assert "If the team is new since make dev started, stop make dev (Ctrl-C)" in added.stdout
    assert "kept" not in added.stdout
    definitions = (copy / "teams" / "pricing" / "definitions.py").read_text()
    assert "from teams.pricing import alerts, margins" in definitions
    assert "assets=[margins]" in definitions  # the untouched example made way for it
    assert not (copy / "teams/pricing/example.py").exists()
    assert not (copy / "teams/pricing/tests/test_example.py").exists()
    assert "removed teams/pricing/example.py" in added.stdout
    tested = run(copy, str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "teams/pricing/tests")
    assert "1 passed" in tested.stdout, tested.stdout
    assert run(copy, str(BIN / "tailor"), "check").returncode == 0


def test_a_new_asset_says_in_one_line_that_it_kept_an_edited_example(copy):
    assert run(copy, str(BIN / "tailor"), "new-team", "pricing").returncode == 0
    with (copy / "teams/pricing/example.py").open("a") as example:
        example.write("# still in use\n")
    added = run(copy, str(BIN / "tailor"), "new-asset", "pricing", "margins")
    assert added.returncode == 0, added.stderr
    kept = [line for line in added.stdout.splitlines() if "example" in line]
    assert kept == [
        "  kept teams/pricing/example.py (the example, edited since new-team wrote it; remove "
        "it from definitions.py by hand when it has served)"
    ]
    assert (copy / "teams/pricing/example.py").exists()


@pytest.mark.parametrize(
    ("command", "error", "hint"),
    [
        (["new-asset", "stylng", "foo"], "Team 'stylng' is not in workspace.yaml. Did you mean "
         "styling?", "the teams: client_insights, merchandising, styling; a new one is made "
         "with tailor new-team"),
        (["new-team", "Pricing"], "Team name 'Pricing' is refused", "e.g. pricing"),
        (["new-team", "my-team"], "Team name 'my-team' is refused", "e.g. my_team"),
        (["new-team", "Styling"], "Team name 'Styling' is refused", "e.g. styling_team"),
    ],
)  # fmt: skip
def test_a_refusal_suggests_the_natural_fix(copy, command, error, hint):
    refused = run(copy, str(BIN / "tailor"), *command)
    assert refused.returncode == 1
    message, said = refused.stderr.strip().splitlines()
    assert message.startswith(f"Error: {error}")
    assert said.startswith("  hint: ") and said.endswith(hint)


def test_a_new_asset_goes_to_the_teams_assets_not_to_a_schedules(copy):
    before = (copy / "teams/styling/definitions.py").read_text()
    assert 'assets=["stylist_workload"]' in before  # the morning schedule's own list
    assert run(copy, str(BIN / "tailor"), "new-asset", "styling", "shortlist").returncode == 0
    after = (copy / "teams/styling/definitions.py").read_text()
    assert after == before.replace(
        "recommendations, workload", "recommendations, shortlist, workload", 1
    ).replace("assets=[recommendations, workload]", "assets=[recommendations, workload, shortlist]")
    checked = run(copy, str(BIN / "tailor"), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_edited_example_is_kept(copy):
    assert run(copy, str(BIN / "tailor"), "new-team", "pricing").returncode == 0
    example = copy / "teams" / "pricing" / "example.py"
    example.write_text(example.read_text().replace('"a", "b", "c"', '"x", "y", "z"'))
    assert run(copy, str(BIN / "tailor"), "new-asset", "pricing", "margins").returncode == 0
    assert "assets=[example, margins]" in (copy / "teams/pricing/definitions.py").read_text()
    assert example.exists()


def test_an_asset_reading_other_teams_is_wired_by_key_and_passes_its_tests(copy):
    assert run(copy, str(BIN / "tailor"), "new-team", "pricing").returncode == 0
    added = run(
        copy,
        str(BIN / "tailor"),
        "new-asset",
        "pricing",
        "margins",
        "--reads",
        "merchandising/inventory",
        "--reads",
        "client_insights/churn_risk",
    )
    assert added.returncode == 0, added.stderr
    source = (copy / "teams" / "pricing" / "margins.py").read_text()
    assert 'key=["merchandising", "inventory"],' in source
    assert '"unit_cost": "float64",' in source  # the columns it reads, checked by tailor check
    assert "def margins(\n    inventory: pd.DataFrame,\n    churn_risk: pd.DataFrame," in source
    tested = run(copy, str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "teams/pricing/tests")
    assert "2 passed" in tested.stdout, tested.stdout  # its logic, and its inputs' keys
    checked = run(copy, str(BIN / "tailor"), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    deps = run(copy, str(BIN / "python"), "-c", PRINT_DEPS % ("pricing", "pricing/margins"))
    assert deps.stdout.split() == ["client_insights/churn_risk", "merchandising/inventory"], deps
    formatted = run(copy, str(BIN / "ruff"), "format", "--check", "teams/pricing")
    linted = run(copy, str(BIN / "ruff"), "check", "teams/pricing")
    assert formatted.returncode == 0 and linted.returncode == 0, formatted.stdout + linted.stdout


def test_an_unknown_key_to_read_is_refused_with_the_closest_keys(copy):
    before = tree(copy)
    refused = run(
        copy, str(BIN / "tailor"), "new-asset", "styling", "margins", "--reads", "merch/inventory"
    )
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "Error: --reads 'merch/inventory': no asset in the workspace has that key. "
        "Did you mean merchandising/inventory?",
        "  hint: a key is team/asset, as `tailor list` shows the assets",
    ]
    assert tree(copy) == before


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["new-team", "select"], "it is a reserved word of DuckDB's SQL"),
        (["new-team", "class"], "it is a Python keyword"),
        (["new-team", "Pricing-Team"], "use lowercase letters"),
        (["new-team", "styling"], "a team with that name already exists"),
        (["new-asset", "nobody", "margins"], "Team 'nobody' is not in workspace.yaml"),
        (["new-asset", "styling", "workload"], "an asset with that name already exists"),
        (["new-asset", "styling", "order"], "reserved word"),
    ],
)
def test_a_refusal_leaves_the_tree_byte_for_byte_unchanged(copy, command, message):
    before = tree(copy)
    refused = run(copy, str(BIN / "tailor"), *command)
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert message in lines[0] and lines[1].startswith("  hint: ")
    assert tree(copy) == before


def test_a_failure_midway_removes_what_was_already_placed(copy):
    before = tree(copy)
    (copy / ".workspace.yaml.tailor-tmp").mkdir()  # the workspace cannot be rewritten
    failed = run(copy, str(BIN / "tailor"), "new-team", "pricing")
    assert failed.returncode == 1
    assert not (copy / "teams" / "pricing").exists()
    assert tree(copy) == before


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


def test_sql_and_polars_assets_read_another_teams_table_and_materialize(
    copy, materialize_workspace, read_table
):
    """``--kind sql`` and ``--kind polars``: the asset reads another team's table lazily,
    passes its tests and tailor check, and materializes with its checks and row count."""
    materialize_workspace()  # merchandising/inventory is in the lake
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
