"""Throughput of a realistic run: every asset of all three teams at about 5M landing rows,
on the lake vs on the DuckDB-file warehouse it replaced, measured in the same run.

    python bench/team_throughput.py [--scale 160] [--repeat 3]

The landing zone is generated once at ``--scale`` (160 is about 5M rows). Then, in a fresh
process per measurement and into a fresh warehouse, each location is materialized in
dependency order in one process: once with the lake (the teams' own definitions), once with
``DuckDBFileWarehouse`` (bench/duckdb_file_warehouse.py: each team's tables in one DuckDB
file, as before issue 17) swapped in as every location's ``io_manager``; interleaved,
``--repeat`` times, medians kept. Target: the lake within 1.2x of the DuckDB file's wall time.
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
WAREHOUSES = ["duckdb_file", "lake"]
TARGET = 1.2  # the lake's wall time over the DuckDB file's


def run_one(warehouse: str, landing: Path) -> dict:
    """Inside a fresh process: the three teams' assets into a fresh warehouse."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TAILOR_LANDING_DIR"] = str(landing)
        os.environ["TAILOR_WAREHOUSE_DIR"] = str(Path(folder) / "warehouse")
        from dagster import DagsterInstance, Definitions

        from platform_lib.warehouse.io_manager import WAREHOUSE_RESOURCE
        from platform_lib.workspace.locations import read_workspace

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
        by_asset = {}
        with DagsterInstance.ephemeral() as instance, peak_memory() as memory:
            started = time.perf_counter()
            for name in ORDER:
                job = locations[name].resolve_implicit_global_asset_job_def()
                result = job.execute_in_process(instance=instance)
                for event in result.all_events:
                    if event.is_step_success:
                        by_asset[f"{name}/{event.step_key}"] = (
                            event.event_specific_data.duration_ms / 1000
                        )
            wall = time.perf_counter() - started
        stored = sorted(p.name for p in (Path(folder) / "warehouse").iterdir())
    result = {"wall_seconds": wall, "peak_mb": memory["peak_mb"], "stored": stored, **by_asset}
    print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=160)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case", choices=WAREHOUSES, help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_one(args.case, args.landing)
        return
    with tempfile.TemporaryDirectory() as folder:
        landing = Path(folder) / "landing"
        rows = sum(make_landing(landing, args.scale).values())
        runs = {case: [] for case in WAREHOUSES}
        for _ in range(args.repeat):
            for case in WAREHOUSES:
                runs[case].append(run_case(case, landing))
    medians = {
        case: {
            key: statistics.median(run[key] for run in results)
            for key in results[0]
            if key != "stored"
        }
        for case, results in runs.items()
    }
    lake, file = medians["lake"], medians["duckdb_file"]
    assets = sorted((k for k in lake if "/" in k), key=lambda k: -lake[k])
    print_table(
        f"All three teams, {rows:,} landing rows, median of {args.repeat}: lake "
        f"{lake['wall_seconds']:.1f} s wall ({lake['peak_mb']:.0f} MiB peak), DuckDB-file "
        f"warehouse {file['wall_seconds']:.1f} s ({file['peak_mb']:.0f} MiB peak)",
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
    figures = {"landing_rows": rows, "medians": medians, "lake_vs_duckdb_file": ratio}
    print(f"  results: {write_results('team_throughput', figures)}")


def run_case(case: str, landing: Path) -> dict:
    from measure import run_case as run_script_case

    return run_script_case(Path(__file__), case, "--landing", str(landing))


if __name__ == "__main__":
    main()
