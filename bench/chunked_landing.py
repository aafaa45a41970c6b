"""Merchandising's landing files at any size, streamed to Parquet a chunk of SKUs at a time,
so 200M inventory rows never sit in memory at once.

    python bench/chunked_landing.py --out /tmp/landing --rows 50000000

The rows come from scripts/make_landing.py's own generators (``make_skus``,
``make_inventory``, ``make_purchase_orders``), called per chunk of SKUs: the same schema,
the same distributions (per-SKU demand, untidy categories, ~1% of rows re-sent), the same
rows per SKU. Only the files merchandising reads are written, with a manifest like
make_landing's.
"""

import argparse
import importlib.util
import json
import math
import shutil
import tempfile
import time
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INVENTORY = "inventory_snapshots.parquet"
PURCHASE_ORDERS = "purchase_orders.csv"
RESENT = 1.01  # make_inventory re-sends ~1% of rows
CHUNK_SKUS = 20_000  # ~2.4M rows, ~0.5 GiB of pandas while one chunk is built


@cache
def make_landing():
    """scripts/make_landing.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "make_landing", REPO / "scripts" / "make_landing.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def skus_for(inventory_rows: int) -> int:
    """The number of SKUs whose daily snapshots make about ``inventory_rows`` rows."""
    landing = make_landing()
    per_sku = landing.INVENTORY_DAYS * len(landing.WAREHOUSES) * RESENT
    return max(10, math.ceil(inventory_rows / per_sku))


def generate(out: Path, inventory_rows: int, seed: int = 7, chunk_skus: int = CHUNK_SKUS) -> dict:
    """Write merchandising's landing files for about ``inventory_rows`` inventory rows into
    ``out`` (replacing it); the manifest."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.perf_counter()
    landing = make_landing()
    rng = np.random.default_rng(seed)
    skus = landing.make_skus(rng, skus_for(inventory_rows))
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".landing-", dir=out.parent))
    rows = 0
    writer = None
    try:
        for start in range(0, len(skus), chunk_skus):
            frame = landing.make_inventory(rng, skus.iloc[start : start + chunk_skus])
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(staging / INVENTORY, table.schema)
            writer.write_table(table.cast(writer.schema))
            rows += len(frame)
        writer.close()
        orders = landing.make_purchase_orders(rng, skus)
        orders.to_csv(staging / PURCHASE_ORDERS, index=False)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    manifest = {
        "seed": seed,
        "skus": len(skus),
        "as_of": landing.AS_OF.date().isoformat(),
        "rows": {INVENTORY: rows, PURCHASE_ORDERS: len(orders)},
        "generate_seconds": time.perf_counter() - started,
    }
    landing.publish(staging, out, manifest)
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rows", type=int, required=True, help="inventory rows, about")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    manifest = generate(args.out, args.rows, args.seed)
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
