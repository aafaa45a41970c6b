"""Reading a table as polars or Arrow through the WarehouseIOManager (an input annotated
``pl.DataFrame`` / ``pa.Table``) vs DuckDB's own ``.pl()`` / ``.to_arrow_table()`` of
``SELECT *`` on the same table of the same lake.

    python bench/read_kinds.py [--rows 5000000] [--repeat 5]

DuckDB reads with the lake attached once, as a session would; "attaching" also attaches it
for each read, as the IO manager does (the lake's version is the run's, and its lock is held
only while reading). The table (bench/warehouse_io.py's frame: int, float, int, string and
timestamp columns) is written once through the IO manager; each case then reads it in a
fresh process, ``inner`` times with the median kept, interleaved ``--repeat`` times. Goal:
the IO manager within 1.2x of DuckDB's own read of each kind.
"""

import argparse
import json
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import interleaved_medians, median_of, print_table, timed, write_results  # noqa: E402

KINDS = ["polars", "arrow"]
READERS = ["duckdb", "attaching", "tailor"]  # DuckDB on the attached lake; attaching it too
CASES = [f"{reader}_{kind}" for kind in KINDS for reader in READERS]
TARGET = 1.2
KEY = ["bench", "orders"]


def annotation(kind: str):
    if kind == "polars":
        import polars

        return polars.DataFrame
    import pyarrow

    return pyarrow.Table


def write_table(folder: Path, rows: int) -> None:
    """The table every case reads, written through the IO manager."""
    from dagster import AssetKey, build_output_context, build_resources
    from warehouse_io import make_frame

    from platform_lib import WarehouseIOManager

    resource = WarehouseIOManager(directory=str(folder))
    with build_resources({"io_manager": resource}) as resources:
        context = build_output_context(
            asset_key=AssetKey(KEY), resource_config=resource.model_dump(exclude_none=True)
        )
        resources.io_manager.handle_output(context, make_frame(rows))


def reader(case: str, folder: Path, stack: ExitStack):
    """A function that reads the table once as the case's kind."""
    from dagster import AssetKey, build_input_context, build_output_context, build_resources
    from dagster._core.types.dagster_type import resolve_dagster_type

    from platform_lib import WarehouseIOManager
    from platform_lib.warehouse.connection import lake_connection
    from platform_lib.warehouse.layout import table_for

    subject, kind = case.split("_")
    resource = WarehouseIOManager(directory=str(folder))
    table = table_for(AssetKey(KEY), folder)
    query = f"SELECT * FROM {table.sql}"

    def fetch(connection):
        relation = connection.sql(query)
        return relation.pl() if kind == "polars" else relation.to_arrow_table()

    if subject == "duckdb":
        connection = stack.enter_context(lake_connection(table.lake, read_only=True))
        return lambda: fetch(connection)
    if subject == "attaching":  # as the IO manager does: the lake attached for the read

        def attach_and_fetch():
            with lake_connection(table.lake, read_only=True) as connection:
                return fetch(connection)

        return attach_and_fetch
    manager = stack.enter_context(build_resources({"io_manager": resource})).io_manager
    config = resource.model_dump(exclude_none=True)
    context = build_input_context(
        asset_key=AssetKey(KEY),
        resource_config=config,
        dagster_type=resolve_dagster_type(annotation(kind)),
        upstream_output=build_output_context(asset_key=AssetKey(KEY), resource_config=config),
    )
    return lambda: manager.load_input(context)


def run_one(case: str, folder: Path, rows: int, inner: int = 5) -> dict:
    """Inside a fresh process: the case's read, ``inner`` times, the median kept."""
    import gc

    with ExitStack() as stack:
        read = reader(case, folder, stack)
        loaded = read()  # warm: the lake attached, the extensions loaded
        assert isinstance(loaded, annotation(case.split("_")[1])) and len(loaded) == rows
        del loaded
        reads = []
        for _ in range(inner):
            holder = {}
            reads.append(timed(lambda holder=holder: holder.update(t=read())))
            del holder
            gc.collect()
    result = median_of(reads)
    print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_one(args.case, args.folder, args.rows)
        return
    with tempfile.TemporaryDirectory() as folder:
        write_table(Path(folder), args.rows)
        medians = interleaved_medians(
            Path(__file__), CASES, args.repeat, "--rows", str(args.rows), "--folder", folder
        )
    seconds = {case: figures["seconds"] for case, figures in medians.items()}
    ratios = {kind: seconds[f"tailor_{kind}"] / seconds[f"duckdb_{kind}"] for kind in KINDS}
    attaching = {kind: seconds[f"tailor_{kind}"] / seconds[f"attaching_{kind}"] for kind in KINDS}
    print_table(
        f"Reading {args.rows:,} rows x 5 columns as polars / Arrow, median of {args.repeat}",
        ["kind", "DuckDB s", "DuckDB attaching s", "IO manager s", "vs DuckDB",
         "vs attaching", "DuckDB MiB", "IO manager MiB"],
        [[kind, f"{seconds[f'duckdb_{kind}']:.3f}", f"{seconds[f'attaching_{kind}']:.3f}",
          f"{seconds[f'tailor_{kind}']:.3f}", f"{ratios[kind]:.2f}x", f"{attaching[kind]:.2f}x",
          f"{medians[f'duckdb_{kind}']['peak_mb']:.0f}",
          f"{medians[f'tailor_{kind}']['peak_mb']:.0f}"]
         for kind in KINDS],
    )  # fmt: skip
    for kind, ratio in ratios.items():
        verdict = "ok" if ratio <= TARGET else "MISSED"
        print(f"  IO manager / DuckDB, {kind}: {ratio:.2f} (goal <= {TARGET}) {verdict}")
    figures = {
        "rows": args.rows,
        "medians": medians,
        "tailor_vs_duckdb": ratios,
        "tailor_vs_duckdb_attaching": attaching,
    }
    print(f"  results: {write_results('read_kinds', figures)}")


if __name__ == "__main__":
    main()
