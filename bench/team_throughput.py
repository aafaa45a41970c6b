"""Throughput of a realistic run: every asset of all three teams at about 5M landing rows.

    python bench/team_throughput.py [--scale 160]

The landing zone is generated at ``--scale`` (160 is about 5M rows), then each location is
materialized in dependency order, in one process, into a fresh warehouse: wall time, peak
memory, and the time split by asset.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import make_landing, peak_memory, print_table, write_results  # noqa: E402

ORDER = ["merchandising", "client_insights", "styling"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=160)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        landing = Path(folder) / "landing"
        rows = sum(make_landing(landing, args.scale).values())
        os.environ["TAILOR_LANDING_DIR"] = str(landing)
        os.environ["TAILOR_WAREHOUSE_DIR"] = str(Path(folder) / "warehouse")
        from dagster import DagsterInstance

        from platform_lib.workspace.locations import read_workspace

        locations = {location.name: location.load() for location in read_workspace()}
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
    total = sum(by_asset.values())
    table = sorted(by_asset.items(), key=lambda item: -item[1])
    print_table(
        f"All three teams, {rows:,} landing rows: {wall:.1f} s wall, "
        f"{memory['peak_mb']:.0f} MiB peak above start",
        ["asset (step)", "seconds", "share"],
        [[name, f"{seconds:.2f}", f"{seconds / total:.0%}"] for name, seconds in table],
    )
    figures = {
        "landing_rows": rows,
        "wall_seconds": wall,
        "peak_mb": memory["peak_mb"],
        "seconds_by_asset": by_asset,
    }
    print(f"  results: {write_results('team_throughput', figures)}")


if __name__ == "__main__":
    main()
