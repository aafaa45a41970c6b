"""Scale of the workspace: N synthetic teams x M assets, loaded through Tailor's conventions
vs a bare Dagster Definitions of the same assets; and, with ``--against REV``, the real
teams' code locations loaded with this checkout's platform_lib vs those of commit REV.

    python bench/workspace_scale.py [--teams 20] [--assets 100] [--repeat 3] [--against REV]

Each synthetic team is a package with one module of M plain assets (every tenth starts a new
chain). Loading means importing the location's module and building its asset graph, as a
code server does; each measurement runs in a fresh interpreter that has already imported
dagster and pandas (Tailor's own imports count against Tailor). Targets: Tailor's
conventions add at most 20% to load time; against REV, a location loads within 5%.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import REPO, print_table, write_results  # noqa: E402

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


def load_seconds(root: Path, modules: list[str], checkout: Path | None = None) -> float:
    """Seconds to load ``modules`` from ``root``, with the platform_lib of ``checkout`` (by
    default the installed one)."""
    env = {**os.environ, "PYTHONPATH": str(checkout)} if checkout else None
    output = subprocess.run(
        [sys.executable, "-c", LOAD, *modules], cwd=root, check=True, capture_output=True,
        text=True, env=env,
    ).stdout  # fmt: skip
    return float(output.strip().splitlines()[-1])


def extract(revision: str, into: Path) -> Path:
    """platform_lib, teams and workspace.yaml as commit ``revision`` has them, under ``into``."""
    archive = subprocess.run(
        ["git", "archive", revision, "platform_lib", "teams", "workspace.yaml"],
        cwd=REPO, check=True, capture_output=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


Case = tuple[Path, list[str], Path | None]  # where to run, modules to load, platform_lib checkout


def medians(cases: dict[str, Case], repeat: int) -> dict[str, float]:
    """Each case's median load time over ``repeat`` rounds, the cases interleaved in each."""
    runs = {name: [] for name in cases}
    for _ in range(repeat):
        for name, (root, modules, checkout) in cases.items():
            runs[name].append(load_seconds(root, modules, checkout))
    return {name: statistics.median(times) for name, times in runs.items()}


def synthetic(root: Path, args, before: Path | None) -> dict[str, dict[str, float]]:
    """Bare Dagster vs Tailor (and Tailor as ``--against`` had it) on the synthetic teams."""
    figures = {}
    for scope, count in (("one location", 1), ("whole workspace", args.teams)):
        modules = {flavour: [f"{flavour}_team_{i:02d}.definitions" for i in range(count)]
                   for flavour in DEFINITIONS}  # fmt: skip
        cases = {flavour: (root, modules[flavour], None) for flavour in DEFINITIONS}
        if before:
            cases[args.against] = (root, modules["tailor"], before)
        figures[scope] = medians(cases, args.repeat)
    return figures


def real_teams(before: Path, args) -> dict[str, dict[str, float]]:
    """The real teams' locations, with this checkout vs with ``--against``."""
    teams = sorted(path.parent.name for path in (REPO / "teams").glob("*/definitions.py"))
    figures = {}
    for scope, chosen in (("one real location", teams[:1]), ("real workspace", teams)):
        modules = [f"teams.{team}.definitions" for team in chosen]
        cases = {"now": (REPO, modules, REPO), args.against: (before, modules, before)}
        figures[scope] = medians(cases, args.repeat)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--assets", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", help="also load with platform_lib as commit REV has it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "synthetic"
        root.mkdir()
        generate(root, args.teams, args.assets)
        before = extract(args.against, Path(folder)) if args.against else None
        figures = synthetic(root, args, before)
        against = real_teams(before, args) if before else {}
    then = [args.against] if args.against else []
    print_table(
        f"Loading {args.teams} teams x {args.assets} assets (median of {args.repeat})",
        ["scope", "bare Dagster s", "Tailor s", "Tailor adds", *(f"{r} adds" for r in then)],
        [
            [scope, f"{times['bare']:.2f}", f"{times['tailor']:.2f}",
             *(f"{times[name] / times['bare'] - 1:+.0%}" for name in ["tailor", *then])]
            for scope, times in figures.items()
        ],
    )  # fmt: skip
    overhead = figures["whole workspace"]["tailor"] / figures["whole workspace"]["bare"] - 1
    verdict = "ok" if overhead <= 0.2 else "MISSED"
    print(f"  conventions add {overhead:+.0%} (target <= +20%) {verdict}")
    if against:
        print_table(
            f"The real teams' locations, this checkout vs {args.against} (median of "
            f"{args.repeat}, interleaved)",
            ["scope", f"{args.against} s", "now s", "now / then"],
            [
                [scope, f"{times[args.against]:.3f}", f"{times['now']:.3f}",
                 f"{times['now'] / times[args.against]:.3f}x"]
                for scope, times in against.items()
            ],
        )  # fmt: skip
        ratios = [times["tailor"] / times[args.against] for times in figures.values()]
        ratios += [times["now"] / times[args.against] for times in against.values()]
        ratio = max(ratios)
        verdict = "ok" if ratio <= 1.05 else "MISSED"
        print(f"  slowest now/then {ratio:.3f}x (target <= 1.05x) {verdict}")
    print(f"  results: {write_results('workspace_scale', {**figures, **against})}")


if __name__ == "__main__":
    main()
