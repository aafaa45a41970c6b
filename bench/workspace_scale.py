"""Scale of the workspace: N synthetic teams x M assets, loaded through Tailor's conventions
vs a bare Dagster Definitions of the same assets.

    python bench/workspace_scale.py [--teams 20] [--assets 100] [--repeat 3]

Each team is a package with one module of M plain assets (every tenth starts a new chain).
Loading means importing the location's module and building its asset graph, as a code
server does; each measurement runs in a fresh interpreter that has already imported dagster
and pandas (Tailor's own imports count against Tailor). Target: Tailor's conventions add
at most 20% to load time.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import print_table, write_results  # noqa: E402

ASSETS = """
import pandas as pd
from dagster import asset

def make(index):
    deps = [f"asset_{{index - 1}}"] if index % 10 else []

    @asset(name=f"asset_{{index}}", deps=deps)
    def compute() -> pd.DataFrame:
        '''A synthetic asset.'''
        return pd.DataFrame()
    return compute

ASSETS = [make(i) for i in range({count})]
"""
DEFINITIONS = {
    "tailor": "from platform_lib import team_definitions\n"
    "from {package}.assets import ASSETS\n"
    "defs = team_definitions('{team}', assets=ASSETS)\n",
    "bare": "from dagster import Definitions, load_assets_from_modules\n"
    "from {package} import assets\n"
    "defs = Definitions(assets=load_assets_from_modules([assets], key_prefix='{team}', "
    "group_name='{team}'))\n",
}
LOAD = """
import importlib, sys, time
import dagster, pandas  # common to both: not what is compared
started = time.perf_counter()
for name in sys.argv[1:]:
    importlib.import_module(name).defs.resolve_asset_graph()
print(time.perf_counter() - started)
"""


def generate(root: Path, teams: int, assets: int) -> None:
    for flavour, template in DEFINITIONS.items():
        for index in range(teams):
            team = f"team_{index:02d}"
            package = root / f"{flavour}_{team}"
            package.mkdir()
            (package / "__init__.py").write_text("")
            (package / "assets.py").write_text(ASSETS.format(count=assets))
            (package / "definitions.py").write_text(
                template.format(package=package.name, team=team)
            )


def load_seconds(root: Path, modules: list[str]) -> float:
    output = subprocess.run(
        [sys.executable, "-c", LOAD, *modules], cwd=root, check=True, capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    return float(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--assets", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate(root, args.teams, args.assets)
        for scope in ("one location", "whole workspace"):
            count = 1 if scope == "one location" else args.teams
            runs = {flavour: [] for flavour in DEFINITIONS}
            for _ in range(args.repeat):  # interleaved
                for flavour in DEFINITIONS:
                    modules = [f"{flavour}_team_{i:02d}.definitions" for i in range(count)]
                    runs[flavour].append(load_seconds(root, modules))
            figures[scope] = {
                flavour: statistics.median(values) for flavour, values in runs.items()
            }
    rows = [
        [scope, f"{times['bare']:.2f}", f"{times['tailor']:.2f}",
         f"{times['tailor'] / times['bare'] - 1:+.0%}"]
        for scope, times in figures.items()
    ]  # fmt: skip
    print_table(
        f"Loading {args.teams} teams x {args.assets} assets (median of {args.repeat})",
        ["scope", "bare Dagster s", "Tailor s", "Tailor adds"],
        rows,
    )
    overhead = figures["whole workspace"]["tailor"] / figures["whole workspace"]["bare"] - 1
    verdict = "ok" if overhead <= 0.2 else "MISSED"
    print(f"  conventions add {overhead:+.0%} (target <= +20%) {verdict}")
    print(f"  results: {write_results('workspace_scale', figures)}")


if __name__ == "__main__":
    main()
