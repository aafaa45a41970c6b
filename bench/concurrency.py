"""Concurrent writers of one team's lake, through the IO manager's store path.

    python bench/concurrency.py [--writes 20] [--rows 10000]

Scenarios: N processes (2, 4, 8) each writing its own table ``--writes`` times, and 4
processes writing the same table; each once alone and once with a reader process that holds
``open_warehouse()`` open (as a notebook does) and scans every table throughout. Writers
start together at a barrier. Reported: commits per second (all commits / wall time from the
barrier to the last commit), failed writes (must be 0), retries (a commit another writer
won, run again whole), and whether every row is accounted for: every write is a signed
snapshot of its table, and reading the table at that snapshot gives exactly that write's
rows. With a reader, the ratio of commits per second to the same scenario alone.
"""

import argparse
import logging
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import print_table, write_results  # noqa: E402

TEAM = "bench"
SCENARIOS = [("own tables", 2), ("own tables", 4), ("own tables", 8), ("same table", 4)]


def table_of(scenario: str, writer: int) -> str:
    return "shared" if scenario == "same table" else f"table_{writer}"


def write_id(writer: int, write: int) -> str:
    return f"writer{writer}-write{write}"


class _Retries(logging.Handler):
    """Counts the IO manager's "retrying" warnings: commits another writer won."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record):
        self.count += "retrying" in record.getMessage()


def writer(folder, table, number, writes, rows, barrier, results) -> None:
    """One process: ``writes`` writes of ``rows`` rows into ``table``, each its own commit."""
    import pandas as pd
    from dagster import AssetKey

    from platform_lib import WarehouseIOManager
    from platform_lib.warehouse.write_request import WriteRequest

    manager = WarehouseIOManager(directory=folder)
    log = logging.getLogger(f"writer{number}")
    retries = _Retries()
    log.addHandler(retries)
    frames = [pd.DataFrame({"write": write_id(number, i), "n": range(rows)}) for i in range(writes)]
    failures = []
    barrier.wait()
    for i, frame in enumerate(frames):
        request = WriteRequest(AssetKey([TEAM, table]), frame, run_id=write_id(number, i))
        try:
            manager.store(request, log)
        except Exception as error:  # counted, and the next write goes on
            failures.append(f"{type(error).__name__}: {error}"[:300])
    results.put({"done": time.time(), "failures": failures, "retries": retries.count})


def reader(folder, stop, results) -> None:
    """A notebook: holds ``open_warehouse()`` and scans every table until told to stop."""
    from platform_lib import open_warehouse

    scans = 0
    with open_warehouse(folder) as warehouse:
        tables = [
            name
            for (name,) in warehouse.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [TEAM]
            ).fetchall()
        ]
        while not stop.is_set():
            for table in tables:
                warehouse.execute(f"SELECT count(*), sum(n) FROM {TEAM}.{table}").fetchall()
                scans += 1
    results.put({"scans": scans})


def run(scenario: str, processes: int, writes: int, rows: int, with_reader: bool) -> dict:
    """One scenario in a fresh warehouse folder: its figures and the accounting."""
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        tables = sorted({table_of(scenario, n) for n in range(processes)})
        _write_once(folder, tables)  # so the reader has tables to scan from the start
        barrier, results = context.Barrier(processes + 1), context.Queue()
        writers = [
            context.Process(
                target=writer,
                args=(folder, table_of(scenario, n), n, writes, rows, barrier, results),
            )
            for n in range(processes)
        ]
        stop, reader_results = context.Event(), context.Queue()
        scanner = context.Process(target=reader, args=(folder, stop, reader_results))
        if with_reader:
            scanner.start()
            time.sleep(3)  # it has the warehouse open and is scanning
        for process in writers:
            process.start()
        barrier.wait()
        started = time.time()
        finished = [results.get(timeout=1800) for _ in writers]
        for process in writers:
            process.join()
        wall = max(result["done"] for result in finished) - started
        scans = None
        if with_reader:
            stop.set()
            scans = reader_results.get(timeout=600)["scans"]
            scanner.join()
        commits, unaccounted = _account(folder, scenario, processes, writes, rows)
    failures = [failure for result in finished for failure in result["failures"]]
    return {
        "scenario": scenario,
        "processes": processes,
        "reader": with_reader,
        "commits": commits,
        "wall_seconds": wall,
        "commits_per_second": commits / wall,
        "failures": len(failures),
        "failure_examples": failures[:3],
        "retries": sum(result["retries"] for result in finished),
        "unaccounted_writes": unaccounted,
        "reader_scans": scans,
    }


def _write_once(folder: str, tables: list[str]) -> None:
    import pandas as pd
    from dagster import AssetKey

    from platform_lib import WarehouseIOManager
    from platform_lib.warehouse.write_request import WriteRequest

    manager = WarehouseIOManager(directory=folder)
    for table in tables:
        frame = pd.DataFrame({"write": "setup", "n": [0]})
        manager.store(WriteRequest(AssetKey([TEAM, table]), frame, "setup"), logging.getLogger())


def _account(folder: str, scenario: str, processes: int, writes: int, rows: int):
    """(signed commits by the writers, writes not accounted for): a write is accounted for
    when its table has a snapshot signed with its id that holds exactly its rows."""
    from platform_lib.warehouse.connection import lake_connection
    from platform_lib.warehouse.layout import team_lakes
    from platform_lib.warehouse.records import table_history

    expected = {
        write_id(n, i): table_of(scenario, n) for n in range(processes) for i in range(writes)
    }
    found = {}
    with lake_connection(team_lakes(Path(folder))[TEAM], read_only=True) as connection:
        for record in table_history(connection):
            if record.run_id not in expected:
                continue
            held = connection.execute(
                f'SELECT count(*), count(*) FILTER (WHERE "write" = ?), count(DISTINCT n) '
                f"FROM {record.table} AT (VERSION => {record.version})",
                [record.run_id],
            ).fetchall()[0]
            found[record.run_id] = record.table == expected[record.run_id] and held == (
                rows,
                rows,
                rows,
            )
    unaccounted = sorted(key for key in expected if not found.get(key))
    return sum(found.values()), unaccounted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--scenario", choices=sorted({s for s, _ in SCENARIOS}), help="only it")
    args = parser.parse_args()
    results = []
    for scenario, processes in SCENARIOS:
        if args.scenario and scenario != args.scenario:
            continue
        alone = run(scenario, processes, args.writes, args.rows, with_reader=False)
        read = run(scenario, processes, args.writes, args.rows, with_reader=True)
        read["vs_alone"] = read["commits_per_second"] / alone["commits_per_second"]
        results += [alone, read]
    print_table(
        f"Concurrent writers of one lake, {args.writes} writes of {args.rows:,} rows each",
        ["scenario", "processes", "reader", "commits", "commits/s", "vs alone", "failures",
         "retries", "unaccounted", "reader scans"],
        [
            [r["scenario"], r["processes"], "yes" if r["reader"] else "no", r["commits"],
             f"{r['commits_per_second']:.1f}",
             f"{r['vs_alone']:.2f}x" if "vs_alone" in r else "", r["failures"], r["retries"],
             len(r["unaccounted_writes"]), r["reader_scans"] if r["reader"] else ""]
            for r in results
        ],
    )  # fmt: skip
    failed = [r for r in results if r["failures"] or r["unaccounted_writes"]]
    for r in failed:
        print(f"  {r['scenario']} x{r['processes']}: {r['failure_examples']}")
    slowest = min(r["vs_alone"] for r in results if "vs_alone" in r)
    print(f"  failures: {sum(r['failures'] for r in results)} (target 0)")
    print(f"  writes not accounted for: {sum(len(r['unaccounted_writes']) for r in results)}")
    print(f"  writers with a reader, worst: {slowest:.2f}x the commits per second alone")
    print(f"  results: {write_results('concurrency', {'args': vars(args), 'runs': results})}")


if __name__ == "__main__":
    main()
