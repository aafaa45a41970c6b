"""Sample mode: a full team run at 5M landing rows, in prod vs in dev with TAILOR_SAMPLE=0.01,
and how far the sample's key metrics land from the full run's.

    python bench/sample_mode.py [--rows 5000000] [--repeat 3] [--sample 0.01]

For each team that ingests from the landing zone (merchandising, client_insights), the
landing zone is generated at the scale that gives that team's files ``--rows`` rows. Each
case runs in a fresh process, interleaved with the other, the median kept; the clock covers
the team's run (not the interpreter's start or the workspace load, the same for both).
The first sampled run after a landing file changes also samples that file (the sample is
kept while the file is unchanged); it is reported apart from the iterations that follow.
Targets: the sampled run at least 10x faster; every key metric within 5% of the full run's
(means and ratios, which a sample estimates; totals scale with the sample).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import (  # noqa: E402
    interleaved_medians,
    make_landing,
    peak_memory,
    print_table,
    run_case,
    write_results,
)

LANDING_FILES = {
    "merchandising": ["inventory_snapshots.parquet", "purchase_orders.csv"],
    "client_insights": ["clients.csv", "orders.parquet"],
}
USER = "bench"
TOLERANCE = 0.05
METRICS = [  # (name, team, SQL over the team's database attached as `t`)
    ("mean keep rate per client", "client_insights",
     "SELECT avg(keep_rate) FROM t.client_profiles"),
    ("mean revenue per client", "client_insights",
     "SELECT avg(total_revenue) FROM t.client_profiles"),
    ("mean churn probability", "client_insights",
     "SELECT avg(churn_probability) FROM t.churn_risk"),
    ("share of clients at high risk", "client_insights",
     "SELECT avg((risk_band = 'high')::INT) FROM t.churn_risk"),
    ("mean unit cost", "merchandising", "SELECT avg(unit_cost) FROM t.inventory"),
    ("mean units shipped per SKU-day", "merchandising",
     "SELECT avg(units_shipped) FROM t.inventory"),
    ("days of cover, all categories", "merchandising",
     "SELECT sum(on_hand) / sum(daily_demand_mean) FROM t.demand_forecast"),
]  # fmt: skip


def team_run(team: str, sample: str | None) -> dict:
    """One full run of ``team``, in prod (``sample`` None) or sampled in dev."""
    if sample:
        os.environ.update({"TAILOR_ENV": "dev", "TAILOR_SAMPLE": sample, "TAILOR_USER": USER})
    from dagster import DagsterInstance

    from platform_lib.workspace.locations import read_workspace

    (location,) = [location for location in read_workspace() if location.name == team]
    job = location.load().resolve_implicit_global_asset_job_def()
    with DagsterInstance.ephemeral() as instance, peak_memory() as memory:
        started = time.perf_counter()
        assert job.execute_in_process(instance=instance).success, team
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": memory["peak_mb"]}


def metric(catalog: Path, sql: str) -> float:
    from platform_lib.warehouse.connection import connect_lakes
    from platform_lib.warehouse.file_lake import FileLake

    connection = connect_lakes({"t": FileLake(catalog)})
    try:
        return float(connection.execute(sql).fetchall()[0][0])
    finally:
        connection.close()


def bench_team(team: str, folder: Path, args: argparse.Namespace) -> dict:
    """Prod and sampled runs of ``team`` at ``args.rows`` landing rows, and its metrics."""
    from dagster import AssetKey

    from platform_lib.environment.sandbox_naming import sandbox_name
    from platform_lib.warehouse.layout import in_sandbox, table_for

    per_scale = sum(make_landing(folder / "probe", 1)[name] for name in LANDING_FILES[team])
    landing, warehouse = folder / team / "landing", folder / team / "warehouse"
    rows = sum(make_landing(landing, args.rows / per_scale)[n] for n in LANDING_FILES[team])
    os.environ.update({"TAILOR_LANDING_DIR": str(landing), "TAILOR_WAREHOUSE_DIR": str(warehouse)})
    case_args = ("--sample", args.sample, "--team", team)
    first = run_case(Path(__file__), "sample", *case_args)  # samples the landing files
    medians = interleaved_medians(Path(__file__), ["prod", "sample"], args.repeat, *case_args)
    metrics = {}
    for name, owner, sql in METRICS:
        if owner == team:
            production = table_for(AssetKey([team, "any"]), warehouse)
            sandbox = in_sandbox(production, sandbox_name(team, USER))
            full, sampled = metric(production.lake.catalog, sql), metric(sandbox.lake.catalog, sql)
            metrics[name] = {"full": full, "sampled": sampled, "relative": sampled / full - 1}
    speedup = medians["prod"]["seconds"] / medians["sample"]["seconds"]
    return {
        "landing_rows": rows,
        **medians,
        "first_sample": first,
        "speedup": speedup,
        "first_speedup": medians["prod"]["seconds"] / first["seconds"],
        "metrics": metrics,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", default="0.01")
    parser.add_argument("--case", choices=["prod", "sample"])
    parser.add_argument("--team", choices=sorted(LANDING_FILES))
    args = parser.parse_args()
    if args.case:  # a child process: one case, one JSON line
        print(json.dumps(team_run(args.team, args.sample if args.case == "sample" else None)))
        return
    with tempfile.TemporaryDirectory() as folder:
        results = {team: bench_team(team, Path(folder), args) for team in LANDING_FILES}
    print_table(
        f"A full team run, prod vs dev with TAILOR_SAMPLE={args.sample}: median of "
        f"{args.repeat} fresh processes each (target: at least 10x faster)",
        ["team", "landing rows", "prod s", "sampled s", "faster", "first sampled s", "faster",
         "prod MiB", "sampled MiB"],
        [
            [team, f"{r['landing_rows']:,}", f"{r['prod']['seconds']:.2f}",
             f"{r['sample']['seconds']:.2f}", f"{r['speedup']:.1f}x",
             f"{r['first_sample']['seconds']:.2f}", f"{r['first_speedup']:.1f}x",
             f"{r['prod']['peak_mb']:.0f}", f"{r['sample']['peak_mb']:.0f}"]
            for team, r in results.items()
        ],
    )  # fmt: skip
    print_table(
        f"Key metrics, sample vs full (tolerance {TOLERANCE:.0%})",
        ["metric", "full", "sampled", "difference", "within"],
        [
            [name, f"{d['full']:.4g}", f"{d['sampled']:.4g}", f"{d['relative']:+.1%}",
             "yes" if abs(d["relative"]) <= TOLERANCE else "NO"]
            for r in results.values()
            for name, d in r["metrics"].items()
        ],
    )  # fmt: skip
    print(f"  results: {write_results('sample_mode', {'sample': args.sample, **results})}")


if __name__ == "__main__":
    main()
