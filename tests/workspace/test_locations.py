"""The workspace loads the way the webserver loads it, with the expected code locations."""

import ast
import os
import subprocess
import sys
from pathlib import Path

from platform_lib.settings import REPO_ROOT
from platform_lib.workspace.locations import own_asset_specs, read_workspace

EXPECTED_ASSETS = {
    "merchandising": {"raw_inventory", "raw_purchase_orders", "inventory", "demand_forecast"},
    "client_insights": {"raw_clients", "raw_orders", "client_profiles", "churn_risk"},
    "styling": {"style_recommendations", "stylist_workload"},
}


def test_every_location_loads_in_its_own_grpc_server(tmp_path):
    """`dagster definitions validate --load-with-grpc` starts one code server per location,
    as `dagster dev` does, and fails if any location cannot load."""
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml", "--load-with-grpc"],
        cwd=REPO_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    for location in EXPECTED_ASSETS:
        assert f"Validation successful for code location {location}" in result.stdout


def test_workspace_has_one_location_per_team_folder():
    locations = read_workspace()
    team_folders = {path.parent.name for path in (REPO_ROOT / "teams").glob("*/definitions.py")}
    assert [location.name for location in locations] == list(EXPECTED_ASSETS)
    assert {location.name for location in locations} == team_folders
    for location in locations:
        assert location.module == f"teams.{location.name}.definitions"


def test_each_location_defines_its_expected_assets(workspace):
    for team, names in EXPECTED_ASSETS.items():
        defined = {spec.key.path[1] for spec in own_asset_specs(team, workspace[team])}
        assert names <= defined, team  # a team may add assets; these must stay


def test_styling_reads_other_teams_assets_by_key(workspace):
    specs = {
        spec.key.to_user_string(): spec for spec in workspace["styling"].resolve_all_asset_specs()
    }
    deps = {dep.asset_key.to_user_string() for dep in specs["styling/style_recommendations"].deps}
    assert deps == {"client_insights/client_profiles", "merchandising/inventory"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_team_imports_another_teams_package():
    teams = {path.parent.name for path in (REPO_ROOT / "teams").glob("*/definitions.py")}
    for team in teams:
        for path in (REPO_ROOT / "teams" / team).rglob("*.py"):
            for module in imported_modules(path):
                parts = module.split(".")
                if parts[0] == "teams" and len(parts) > 1:
                    assert parts[1] == team, f"{path.relative_to(REPO_ROOT)} imports {module}"
