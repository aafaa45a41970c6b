"""Throughput of a realistic run: every asset of all three teams at about 5M landing rows,
the teams' lazy assets vs today's pandas versions of them, measured in the same run.

    python bench/team_throughput.py [--scale 160] [--repeat 3] [--against duckdb_file]

The landing zone is generated once at ``--scale`` (160 is about 5M rows). Then, in a fresh
process per measurement and into a fresh warehouse, each location is materialized in
dependency order in one process: once with the teams' lazy assets, once with today's pandas
versions swapped in (bench/team_versions.py); interleaved, ``--repeat`` times, medians kept.
Goal: merchandising at least 2x faster and with a 3x lower peak on the lazy side.

``--against duckdb_file`` repeats issue 17's comparison instead: the teams' own definitions
on the lake vs ``DuckDBFileWarehouse`` (bench/duckdb_file_warehouse.py: each team's tables in
one DuckDB file) swapped in as every location's ``io_manager``; target: the lake within 1.2x
of the DuckDB file's wall time.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import (  # noqa: E402
    make_landing,
    peak_memory,
    print_table,
    write_results,
)

ORDER = ["merchandising", "client_insights", "styling"]
COMPARISONS = {"pandas": ["pandas", "lazy"], "duckdb_file": ["duckdb_file", "lake"]}
TARGET = 1.2  # the lake's wall time over the DuckDB file's
GOALS = {"faster": 2.0, "lower_peak": 3.0}  # merchandising's, lazy against pandas


def run_one(case: str, landing: Path) -> dict:
    """Inside a fresh process: the three teams' assets into a fresh warehouse."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TAILOR_LANDING_DIR"] = str(landing)
        os.environ["TAILOR_WAREHOUSE_DIR"] = str(Path(folder) / "warehouse")
        from dagster import DagsterInstance, Definitions
        from team_versions import use_versions

        from platform_lib.warehouse.io_manager import WAREHOUSE_RESOURCE
        from platform_lib.workspace.locations import read_workspace

        if case in ("pandas", "lazy"):
            for team in ORDER:
                use_versions(case, team)
        warehouse = "duckdb_file" if case == "duckdb_file" else "lake"

        locations = {location.name: location.load() for location in read_workspace()}
        if warehouse == "duckdb_file":
            from duckdb_file_warehouse import DuckDBFileWarehouse

            locations = {
                name: Definitions(
                    assets=defs.assets,
                    asset_checks=defs.asset_checks,
                    resources={
                        **defs.resources,
                        WAREHOUSE_RESOURCE: DuckDBFileWarehouse(team=name),
                    },
                    executor=defs.executor,
                )
                for name, defs in locations.items()
            }
        figures = {}
        with DagsterInstance.ephemeral() as instance, peak_memory() as memory:
            started = time.perf_counter()
            for name in ORDER:
                job = locations[name].resolve_implicit_global_asset_job_def()
                with peak_memory() as team_memory:
                    team_started = time.perf_counter()
                    result = job.execute_in_process(instance=instance)
                    figures[f"{name}.wall_seconds"] = time.perf_counter() - team_started
                figures[f"{name}.peak_mb"] = team_memory["peak_mb"]
                for event in result.all_events:
                    if event.is_step_success:
                        figures[f"{name}/{event.step_key}"] = (
                            event.event_specific_data.duration_ms / 1000
                        )
            wall = time.perf_counter() - started
        stored = sorted(p.name for p in (Path(folder) / "warehouse").iterdir())
    result = {"wall_seconds": wall, "peak_mb": memory["peak_mb"], "stored": stored, **figures}
    print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=160)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", choices=COMPARISONS, default="pandas")
    parser.add_argument("--case", choices=[c for p in COMPARISONS.values() for c in p],
                        help=argparse.SUPPRESS)  # fmt: skip
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_one(args.case, args.landing)
        return
    cases = COMPARISONS[args.against]
    with tempfile.TemporaryDirectory() as folder:
        landing = Path(folder) / "landing"
        rows = sum(make_landing(landing, args.scale).values())
        runs = {case: [] for case in cases}
        for _ in range(args.repeat):
            for case in cases:
                runs[case].append(run_case(case, landing))
    medians = {
        case: {
            key: statistics.median(run[key] for run in results)
            for key in results[0]
            if key != "stored"
        }
        for case, results in runs.items()
    }
    title = f"All three teams, {rows:,} landing rows, median of {args.repeat}"
    if args.against == "pandas":
        figures = against_pandas(title, medians)
        name = "team_throughput"
    else:
        figures = against_duckdb_file(title, medians, runs)
        name = "team_throughput_duckdb_file"
    figures = {"landing_rows": rows, "medians": medians, **figures}
    print(f"  results: {write_results(name, figures)}")


def against_pandas(title: str, medians: dict) -> dict:
    """Print the lazy side against the pandas side, per team and per asset; the ratios."""
    lazy, pandas = medians["lazy"], medians["pandas"]
    print_table(
        f"{title}: lazy assets vs today's pandas versions",
        ["team", "lazy s", "pandas s", "faster", "lazy peak MiB", "pandas peak MiB", "lower"],
        [
            [team, f"{lazy[f'{team}.wall_seconds']:.1f}", f"{pandas[f'{team}.wall_seconds']:.1f}",
             f"{pandas[f'{team}.wall_seconds'] / lazy[f'{team}.wall_seconds']:.2f}x",
             f"{lazy[f'{team}.peak_mb']:.0f}", f"{pandas[f'{team}.peak_mb']:.0f}",
             f"{pandas[f'{team}.peak_mb'] / max(lazy[f'{team}.peak_mb'], 1):.2f}x"]
            for team in ORDER
        ] + [
            ["total", f"{lazy['wall_seconds']:.1f}", f"{pandas['wall_seconds']:.1f}",
             f"{pandas['wall_seconds'] / lazy['wall_seconds']:.2f}x", f"{lazy['peak_mb']:.0f}",
             f"{pandas['peak_mb']:.0f}", f"{pandas['peak_mb'] / max(lazy['peak_mb'], 1):.2f}x"]
        ],
    )  # fmt: skip
    assets = sorted((k for k in lazy if "/" in k), key=lambda k: -pandas[k])
    print_table(
        "Per asset (step seconds)",
        ["asset (step)", "lazy s", "pandas s", "faster"],
        [[name, f"{lazy[name]:.2f}", f"{pandas[name]:.2f}", f"{pandas[name] / lazy[name]:.2f}x"]
         for name in assets],
    )  # fmt: skip
    team = ORDER[0]  # merchandising, whose goals the issue sets
    ratios = {
        "faster": pandas[f"{team}.wall_seconds"] / lazy[f"{team}.wall_seconds"],
        "lower_peak": pandas[f"{team}.peak_mb"] / max(lazy[f"{team}.peak_mb"], 1),
    }
    for goal, ratio in ratios.items():
        verdict = "ok" if ratio >= GOALS[goal] else "MISSED"
        print(f"  {team} {goal}, pandas / lazy: {ratio:.2f} (goal >= {GOALS[goal]}) {verdict}")
    return {f"{team}_{goal}": ratio for goal, ratio in ratios.items()}


def against_duckdb_file(title: str, medians: dict, runs: dict) -> dict:
    """Print issue 17's comparison, the lake against the DuckDB-file warehouse; its ratio."""
    lake, file = medians["lake"], medians["duckdb_file"]
    assets = sorted((k for k in lake if "/" in k), key=lambda k: -lake[k])
    print_table(
        f"{title}: lake {lake['wall_seconds']:.1f} s wall ({lake['peak_mb']:.0f} MiB peak), "
        f"DuckDB-file warehouse {file['wall_seconds']:.1f} s ({file['peak_mb']:.0f} MiB peak)",
        ["asset (step)", "lake s", "DuckDB file s", "lake / file"],
        [[name, f"{lake[name]:.2f}", f"{file[name]:.2f}", f"{lake[name] / file[name]:.2f}x"]
         for name in assets],
    )  # fmt: skip
    ratio = lake["wall_seconds"] / file["wall_seconds"]
    verdict = "ok" if ratio <= TARGET else "MISSED"
    stored = {  # the catalogs, or the database files
        case: [name for name in results[0]["stored"] if name.endswith((".sqlite", ".duckdb"))]
        for case, results in runs.items()
    }
    print(f"  stored: lake {stored['lake']}, baseline {stored['duckdb_file']}")
    print(f"  lake / DuckDB-file warehouse wall time: {ratio:.2f} (target <= {TARGET}) {verdict}")
    return {"lake_vs_duckdb_file": ratio}


def run_case(case: str, landing: Path) -> dict:
    from measure import run_case as run_script_case

    return run_script_case(Path(__file__), case, "--landing", str(landing))


if __name__ == "__main__":
    main()
