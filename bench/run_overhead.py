"""Run overhead: a chain of 20 trivial assets through Tailor's defaults vs stock Dagster's.

    python bench/run_overhead.py [--assets 20] [--repeat 2]

Both are materialized the same way, `dagster asset materialize --select '*'` against a real
instance: stock Dagster uses its default multiprocess executor and filesystem IO manager;
Tailor uses team_definitions (in-process executor, DuckDB warehouse). Target: Tailor at most
1/8 of stock's wall time.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import print_table, write_results  # noqa: E402

CHAIN = """
import pandas as pd
from dagster import Definitions, asset

def link(index):
    if index == 0:
        @asset(name="step_0")
        def first() -> pd.DataFrame:
            '''The first link.'''
            return pd.DataFrame({{"n": range(10)}})
        return first

    @asset(name=f"step_{{index}}", deps=[f"step_{{index - 1}}"])
    def next_link() -> pd.DataFrame:
        '''The next link.'''
        return pd.DataFrame({{"n": range(10)}})
    return next_link

ASSETS = [link(i) for i in range({count})]
"""
SETUPS = {
    "stock": "defs = Definitions(assets=ASSETS)\n",
    "tailor": "from platform_lib import team_definitions\n"
    "defs = team_definitions('bench', assets=ASSETS)\n",
}


def materialize(module: Path, home: Path, warehouse: Path) -> float:
    env = {**os.environ, "DAGSTER_HOME": str(home), "TAILOR_WAREHOUSE_DIR": str(warehouse)}
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-f", str(module),
         "--select", "*"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    from dagster import DagsterInstance

    seconds = {name: [] for name in SETUPS}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        home = root / "home"
        home.mkdir()
        DagsterInstance.from_config(str(home)).dispose()
        for name, setup in SETUPS.items():
            (root / f"{name}.py").write_text(CHAIN.format(count=args.assets) + setup)
        for _ in range(args.repeat):  # interleaved
            for name in SETUPS:
                seconds[name].append(materialize(root / f"{name}.py", home, root / "warehouse"))
    best = {name: min(values) for name, values in seconds.items()}
    ratio = best["tailor"] / best["stock"]
    print_table(
        f"Run overhead: a chain of {args.assets} trivial assets (best of {args.repeat})",
        ["setup", "wall s", "vs stock"],
        [[name, f"{best[name]:.1f}", f"{best[name] / best['stock']:.3f}x"] for name in SETUPS],
    )
    print(f"  tailor / stock: {ratio:.3f} (target <= 0.125) {'ok' if ratio <= 0.125 else 'MISSED'}")
    print(f"  results: {write_results('run_overhead', {'seconds': seconds, 'ratio': ratio})}")


if __name__ == "__main__":
    main()
