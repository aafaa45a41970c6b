"""Contract checks: evaluated in the warehouse by SQL vs pandera's validate on the pandas frame.

    python bench/contract_checks.py [--rows 5000000] [--big-rows 50000000] [--repeat 3]

One contract with four column rules (unique int, float in range, int >= 0, isin on a
string); both paths also check dtypes and nulls, as pandera does by default. The warehouse
path never loads the table into pandas; pandera's time is its validate alone, its memory
also counts loading the table into the frame it needs. Target: at least 3x faster with lower
peak memory.
The warehouse path is also run on ``--big-rows`` rows, more than pandas holds comfortably.
"""

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import (  # noqa: E402
    interleaved_medians,
    print_table,
    run_case,
    timed,
    write_results,
)

CASES = ["warehouse", "pandera"]


def contract():
    import pandera.pandas as pa
    from pandera.typing import Series

    class Orders(pa.DataFrameModel):
        order_id: Series[int] = pa.Field(unique=True)
        amount: Series[float] = pa.Field(in_range={"min_value": 0, "max_value": 100})
        quantity: Series[int] = pa.Field(ge=0)
        category: Series[str] = pa.Field(isin=["dresses", "tops", "jeans", "shoes"])

    return Orders


def make_table(connection, rows: int) -> None:
    connection.execute(
        f"""
        CREATE TABLE orders AS
        SELECT range AS order_id,
               random() * 100 AS amount,
               (random() * 10)::BIGINT AS quantity,
               ['dresses', 'tops', 'jeans', 'shoes'][1 + (range % 4)::INTEGER] AS category
        FROM range({rows})
        """
    )


def run_one(case: str, rows: int, inner: int = 3) -> dict:
    """Inside a fresh process: build the table, then run one path's checks ``inner`` times.
    Time is the median (a fresh process's first run pays page faults either way); memory is
    the largest peak, which is the first run's."""
    import duckdb

    from platform_lib.contracts.evaluation import evaluate_in_warehouse
    from platform_lib.contracts.rules import rules_from_contract

    with tempfile.TemporaryDirectory() as folder:
        connection = duckdb.connect(str(Path(folder) / "bench.duckdb"))
        make_table(connection, rows)
        if case == "warehouse":
            rules = rules_from_contract(contract())
            outcomes = {}
            runs = [
                timed(lambda: outcomes.update(o=evaluate_in_warehouse(connection, "orders", rules)))
                for _ in range(inner)
            ]
            assert all(o.passed for o in outcomes["o"]), [o.summary() for o in outcomes["o"]]
        else:  # pandera needs the table as a frame: its memory counts that, its time does not
            loaded = {}
            load = timed(lambda: loaded.update(f=connection.execute("SELECT * FROM orders").df()))
            runs = [
                timed(lambda: contract().validate(loaded["f"], lazy=True)) for _ in range(inner)
            ]
            for run in runs:
                run["peak_mb"] += load["peak_mb"]
        connection.close()
    result = {
        "seconds": statistics.median(run["seconds"] for run in runs),
        "peak_mb": max(run["peak_mb"] for run in runs),
    }
    print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--big-rows", type=int, default=50_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_one(args.case, args.rows)
        return
    medians = interleaved_medians(Path(__file__), CASES, args.repeat, "--rows", str(args.rows))
    big = run_case(Path(__file__), "warehouse", "--rows", str(args.big_rows))
    warehouse, pandera = medians["warehouse"], medians["pandera"]
    print_table(
        f"Contract checks (4 rules + dtypes + nulls), median of {args.repeat}",
        ["path", "rows", "seconds", "peak MiB"],
        [
            ["warehouse (SQL)", f"{args.rows:,}", f"{warehouse['seconds']:.2f}",
             f"{warehouse['peak_mb']:.0f}"],
            ["pandera on frame", f"{args.rows:,}", f"{pandera['seconds']:.2f}",
             f"{pandera['peak_mb']:.0f}"],
            ["warehouse (SQL)", f"{args.big_rows:,}", f"{big['seconds']:.2f}",
             f"{big['peak_mb']:.0f}"],
        ],
    )  # fmt: skip
    speedup = pandera["seconds"] / warehouse["seconds"]
    memory = pandera["peak_mb"] / max(warehouse["peak_mb"], 1)
    print(
        f"  warehouse speed-up: {speedup:.1f}x (target >= 3) {'ok' if speedup >= 3 else 'MISSED'}"
    )
    print(f"  pandera / warehouse peak memory: {memory:.1f}x (target > 1)")
    path = write_results(
        "contract_checks",
        {"rows": args.rows, "medians": medians, "big_rows": args.big_rows, "big": big,
         "speedup": speedup, "memory_ratio": memory},
    )  # fmt: skip
    print(f"  results: {path}")


if __name__ == "__main__":
    main()
