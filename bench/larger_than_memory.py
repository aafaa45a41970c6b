"""Merchandising's pipeline on more inventory rows than DuckDB may hold in memory: the lazy
assets under a 2 GiB memory limit, against today's pandas versions of them.

    python bench/larger_than_memory.py [--sizes 5e6,50e6,200e6] [--pandas-sizes 5e6,50e6]

For each size the landing files are streamed to Parquet in chunks (bench/chunked_landing.py,
timed apart from the pipeline); then, in a fresh process and a fresh warehouse, the team's
location runs (raw_inventory and raw_purchase_orders, inventory, demand_forecast) with
DuckDB's memory limit at ``--limit-gib`` and its spill folder in the work folder. Goals: it
completes, its peak resident memory stays within the limit plus 25%, and its time per million
rows stays roughly constant across sizes. The pandas versions run the same pipeline, killed
past ``--cap-gib`` resident so they cannot take the machine down: where they fail is reported.
Each size is written to the results as it ends, so a later ``--sizes 200e6`` adds to them.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import RESULTS_DIR, print_table, rss_of, run_capped, write_results  # noqa: E402

NAME = "larger_than_memory"
SIDES = ["lazy", "pandas"]
HEADROOM = 1.25  # peak resident memory within the limit plus 25%
STEADY = 1.5  # time per million rows at most 1.5x the smallest size's


def run_one(side: str, landing: Path, work: Path, limit_gib: float) -> dict:
    """Inside a fresh process: merchandising's assets into a fresh warehouse, DuckDB held to
    ``limit_gib``."""
    os.environ["TAILOR_LANDING_DIR"] = str(landing)
    os.environ["TAILOR_WAREHOUSE_DIR"] = str(work / "warehouse")
    from platform_lib import settings

    if hasattr(settings, "RUN_MEMORY_ENV"):  # the platform's run memory setting
        os.environ[settings.RUN_MEMORY_ENV] = f"{limit_gib}GiB"
        os.environ[settings.SPILL_DIR_ENV] = str(work / "spill")
    else:
        limit_duckdb(limit_gib, work / "spill")
    from dagster import DagsterInstance
    from team_versions import use_versions

    from platform_lib.workspace.locations import read_workspace

    use_versions(side, "merchandising")
    (location,) = [loc for loc in read_workspace() if loc.name == "merchandising"]
    with DagsterInstance.ephemeral() as instance, RssTimeline() as timeline:
        started = time.perf_counter()
        job = location.load().resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(instance=instance)
        wall = time.perf_counter() - started
        records = instance.all_logs(result.run_id)
    steps, step_peaks, began = {}, {}, {}
    for record in records:
        event = record.dagster_event
        if event is not None and event.event_type_value == "STEP_START":
            began[event.step_key] = record.timestamp
        if event is not None and event.is_step_success:
            steps[event.step_key] = event.event_specific_data.duration_ms / 1000
            step_peaks[event.step_key] = timeline.peak_mb(began[event.step_key], record.timestamp)
    figures = {
        "wall_seconds": wall,
        "peak_rss_mb": high_water_mb(),
        "steps": steps,
        "step_peak_rss_mb": step_peaks,
    }
    print(json.dumps(figures))
    return figures


class RssTimeline:
    """This process's resident memory sampled every 50 ms while the block runs, to tell
    which step reached the peak."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.samples.append((time.time(), rss_of(os.getpid())))

    def __enter__(self) -> "RssTimeline":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_mb(self, start: float, end: float) -> float:
        return max((rss for at, rss in self.samples if start <= at <= end), default=0) / 2**20


def high_water_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike getrusage's ru_maxrss, it does
    not start from the parent's memory at fork)."""
    status = Path("/proc/self/status").read_text()
    (line,) = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) / 1024


def limit_duckdb(limit_gib: float, spill: Path) -> None:
    """DuckDB's memory limit and spill folder on both instances a run uses: the default
    connection (lazy inputs and the relations written from them) and the warehouse's."""
    import duckdb

    from platform_lib.warehouse.connection import warehouse_instance

    spill.mkdir(parents=True, exist_ok=True)
    for connection in (duckdb.default_connection(), warehouse_instance()):
        connection.execute(f"SET memory_limit = '{limit_gib}GiB'")
        connection.execute(f"SET temp_directory = '{spill}'")


def measure_size(rows: int, sides: list[str], args: argparse.Namespace) -> dict:
    """Generate ``rows`` inventory rows, run each side on them; the figures of this size."""
    work = Path(tempfile.mkdtemp(prefix="larger-than-memory-", dir=args.work))
    try:
        figures = landing_for(rows, args.landings or work)
        landing = Path(figures.pop("landing"))
        for side in sides:
            # the pandas side's DuckDB limit is its cap: the platform refuses an eager input
            # bigger than the limit before fetching it, and this measures pandas, not that
            limit = args.limit_gib if side == "lazy" else args.cap_gib
            cap = args.limit_gib * 1024 * 4 if side == "lazy" else args.cap_gib * 1024
            case = work / side
            command = [sys.executable, __file__, "--case", side, "--landing", str(landing),
                       "--case-work", str(case), "--limit-gib", str(limit)]  # fmt: skip
            figures[side] = run_capped(command, cap, args.timeout)
            shutil.rmtree(case, ignore_errors=True)
            print(f"  {rows:,} rows, {side}: {json.dumps(figures[side])}", flush=True)
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def landing_for(rows: int, folder: Path) -> dict:
    """The landing files of about ``rows`` inventory rows in ``folder``/``rows``: generated
    there in their own process (this one stays small), or kept from an earlier run."""
    landing = folder / str(rows)
    if not (landing / "manifest.json").exists():
        generator = Path(__file__).with_name("chunked_landing.py")
        command = [sys.executable, str(generator), "--out", str(landing), "--rows", str(rows)]
        subprocess.run(command, check=True, capture_output=True)
    manifest = json.loads((landing / "manifest.json").read_text())
    return {key: manifest[key] for key in ("rows", "generate_seconds")} | {"landing": landing}


def report(results: dict, limit_gib: float) -> None:
    sizes = sorted(results["sizes"], key=int)
    per_million = {}
    rows = []
    for size in sizes:
        figures = results["sizes"][size]
        inventory_rows = figures["rows"]["inventory_snapshots.parquet"]
        cells = [f"{inventory_rows:,}", f"{figures['generate_seconds']:.0f}"]
        for side in SIDES:
            run = figures.get(side)
            if run is None:
                cells += ["-", "-", "-"]
            elif run.get("failed"):
                cells += [run["failed"], "-", f"{run['watched_peak_mb']:.0f}"]
            else:
                seconds = run["wall_seconds"] / (inventory_rows / 1e6)
                per_million.setdefault(side, {})[size] = seconds
                peak = run["peak_rss_mb"]
                cells += [f"{run['wall_seconds']:.0f}", f"{seconds:.2f}", f"{peak:.0f}"]
        rows.append(cells)
    print_table(
        f"Merchandising's pipeline, DuckDB memory limit {limit_gib} GiB",
        ["inventory rows", "generate s", "lazy s", "lazy s/M rows", "lazy peak MiB",
         "pandas s", "pandas s/M rows", "pandas peak MiB"],
        rows,
    )  # fmt: skip
    bound = limit_gib * 1024 * HEADROOM
    for size in sizes:
        run = results["sizes"][size].get("lazy") or {}
        if "peak_rss_mb" in run:
            verdict = "ok" if run["peak_rss_mb"] <= bound else "MISSED"
            peak = run["peak_rss_mb"]
            print(f"  lazy peak at {int(size):,}: {peak:.0f} MiB (goal <= {bound:.0f}) {verdict}")
    lazy = per_million.get("lazy", {})
    if len(lazy) > 1:
        spread = max(lazy.values()) / lazy[min(lazy, key=int)]
        verdict = "ok" if spread <= STEADY else "MISSED"
        print(f"  lazy time per million rows, largest over smallest size's: {spread:.2f} "
              f"(goal <= {STEADY}) {verdict}")  # fmt: skip
        results["lazy_seconds_per_million_spread"] = spread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5e6,50e6")
    parser.add_argument("--pandas-sizes", default="5e6,50e6")
    parser.add_argument("--limit-gib", type=float, default=2)
    parser.add_argument("--cap-gib", type=float, default=8)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--work", type=Path, default=None, help="where the lakes go")
    parser.add_argument("--landings", type=Path, help="keep the landing files here, reuse them")
    parser.add_argument("--case", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--case-work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_one(args.case, args.landing, args.case_work, args.limit_gib)
        return
    previous = RESULTS_DIR / f"{NAME}.json"
    results = json.loads(previous.read_text()) if previous.exists() else {}
    if results.get("limit_gib") != args.limit_gib:
        results = {"limit_gib": args.limit_gib, "sizes": {}}
    pandas_sizes = {int(float(size)) for size in args.pandas_sizes.split(",") if size}
    for size in (int(float(size)) for size in args.sizes.split(",")):
        sides = [side for side in SIDES if side == "lazy" or size in pandas_sizes]
        results["sizes"][str(size)] = measure_size(size, sides, args)
        write_results(NAME, results)
    report(results, args.limit_gib)
    print(f"  results: {write_results(NAME, results)}")


if __name__ == "__main__":
    main()
