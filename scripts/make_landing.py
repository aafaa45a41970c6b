"""Generate the landing zone: deterministic files standing in for upstream systems.

    python scripts/make_landing.py --out data/landing --seed 7 [--scale 1]

Scale 1 writes ~31k rows in four files (under a second); rows grow linearly with --scale
(--scale 160 is about 5M rows, for benchmarks). The same seed and scale give the same bytes.
The files are written to a temporary folder and moved into place, so an interrupted run
never leaves a half-written landing zone.
"""

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

AS_OF = pd.Timestamp("2026-11-01")
CATEGORIES = np.array(
    ["dresses", "tops", "jeans", "outerwear", "shoes", "accessories", "knitwear", "activewear"]
)
CATEGORY_POPULARITY = np.array([2.5, 1.8, 1.2, 0.6, 1.5, 0.5, 0.8, 1.0])
REGIONS = np.array(["northeast", "southeast", "midwest", "southwest", "west"])
SIZES = np.array(["XS", "S", "M", "L", "XL"])
WAREHOUSES = np.array(["reno", "dallas"])
INVENTORY_DAYS = 60
SKUS_PER_SCALE = 150
CLIENTS_PER_SCALE = 2000
STYLISTS_PER_SCALE = 20
MAX_ORDERS = 16
LANDING_FILES = [
    "inventory_snapshots.parquet",
    "purchase_orders.csv",
    "clients.csv",
    "orders.parquet",
    "manifest.json",
]
ITEMS_PER_BOX = 5


def make_skus(rng: np.random.Generator, n_skus: int) -> pd.DataFrame:
    category = rng.integers(0, len(CATEGORIES), n_skus)
    return pd.DataFrame(
        {
            "sku": [f"SKU-{i:07d}" for i in range(n_skus)],
            "category": CATEGORIES[category],
            "unit_cost": rng.uniform(8, 120, n_skus).round(2),
            "daily_demand": rng.gamma(2.0, 1.5, n_skus) * CATEGORY_POPULARITY[category],
        }
    )


def make_inventory(rng: np.random.Generator, skus: pd.DataFrame) -> pd.DataFrame:
    """Daily stock per SKU and warehouse, with the export's real-world mess: category
    spelled inconsistently and ~1% of rows sent twice."""
    days = pd.date_range(end=AS_OF - pd.Timedelta(days=1), periods=INVENTORY_DAYS, freq="D")
    n_skus, n_rows = len(skus), len(skus) * len(days) * len(WAREHOUSES)
    sku_index = np.repeat(np.arange(n_skus), len(days) * len(WAREHOUSES))
    shipped = rng.poisson(np.repeat(skus["daily_demand"].to_numpy() / 2, len(days) * 2))
    frame = pd.DataFrame(
        {
            "snapshot_date": np.tile(np.repeat(days.values, len(WAREHOUSES)), n_skus),
            "sku": skus["sku"].to_numpy()[sku_index],
            "category": _messy_case(rng, skus["category"].to_numpy()[sku_index]),
            "warehouse": np.tile(WAREHOUSES, n_skus * len(days)),
            "on_hand": rng.integers(0, 40, n_rows),
            "units_shipped": shipped,
            "unit_cost": skus["unit_cost"].to_numpy()[sku_index],
        }
    )
    resent = frame.sample(frac=0.01, random_state=rng.integers(1 << 31))
    return pd.concat([frame, resent]).sort_index(kind="stable").reset_index(drop=True)


def _messy_case(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    variants = np.array([values, np.char.upper(values.astype(str)), np.char.add(" ", values)])
    pick = rng.choice(3, len(values), p=[0.9, 0.05, 0.05])
    return variants[pick, np.arange(len(values))]


def make_purchase_orders(rng: np.random.Generator, skus: pd.DataFrame) -> pd.DataFrame:
    n = len(skus) * 4
    order_date = AS_OF - pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    return pd.DataFrame(
        {
            "po_id": [f"PO-{i:08d}" for i in range(n)],
            "sku": rng.choice(skus["sku"].to_numpy(), n),
            "order_date": order_date.strftime("%Y-%m-%d"),
            "expected_date": (
                order_date + pd.to_timedelta(rng.integers(7, 45, n), unit="D")
            ).strftime("%Y-%m-%d"),
            "quantity": rng.integers(10, 60, n),
            "status": rng.choice(["open", "received", "cancelled"], n, p=[0.4, 0.5, 0.1]),
        }
    )


def make_clients(rng: np.random.Generator, n_clients: int, n_stylists: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "client_id": np.arange(1, n_clients + 1),
            "signup_date": (
                AS_OF - pd.to_timedelta(rng.integers(30, 900, n_clients), unit="D")
            ).strftime("%Y-%m-%d"),
            "region": rng.choice(REGIONS, n_clients),
            "size": rng.choice(SIZES, n_clients, p=[0.1, 0.25, 0.3, 0.25, 0.1]),
            "style_preference": rng.choice(CATEGORIES, n_clients),
            "budget_per_item": rng.choice([40, 75, 120], n_clients, p=[0.4, 0.4, 0.2]),
            "stylist_id": rng.integers(1, n_stylists + 1, n_clients),
        }
    )


def make_orders(rng: np.random.Generator, clients: pd.DataFrame, n_stylists: int) -> pd.DataFrame:
    """One row per box shipped. A client's keep propensity drives both how much they keep
    and how soon they stop ordering, so churn is learnable from order history."""
    n = len(clients)
    signup = pd.to_datetime(clients["signup_date"]).to_numpy()
    keep_propensity = rng.beta(4, 3, n)
    mean_gap = rng.uniform(25, 75, n)
    lifetime = rng.exponential(120 + 900 * keep_propensity**2)
    gaps = rng.exponential(mean_gap[:, None], (n, MAX_ORDERS)).clip(min=7)
    offsets = np.cumsum(gaps, axis=1)
    order_days = signup[:, None] + offsets.astype("timedelta64[D]")
    alive = (offsets <= lifetime[:, None]) & (order_days < np.datetime64(AS_OF))
    client_row, _ = np.nonzero(alive)
    kept = rng.binomial(ITEMS_PER_BOX, keep_propensity[client_row])
    usual_stylist = clients["stylist_id"].to_numpy()[client_row]
    covering = rng.random(len(client_row)) < 0.1
    return pd.DataFrame(
        {
            "order_id": np.arange(1, len(client_row) + 1),
            "client_id": clients["client_id"].to_numpy()[client_row],
            "order_date": order_days[alive].astype("datetime64[D]"),
            "stylist_id": np.where(
                covering, rng.integers(1, n_stylists + 1, len(client_row)), usual_stylist
            ),
            "items_sent": ITEMS_PER_BOX,
            "items_kept": kept,
            "revenue": (
                kept
                * clients["budget_per_item"].to_numpy()[client_row]
                * rng.uniform(0.8, 1.2, len(client_row))
            ).round(2),
        }
    )


def generate(out: Path, seed: int, scale: float) -> dict:
    """Write the landing files into ``out`` (replacing it) and return the manifest."""
    rng = np.random.default_rng(seed)
    n_stylists = max(2, round(STYLISTS_PER_SCALE * scale))
    skus = make_skus(rng, max(10, round(SKUS_PER_SCALE * scale)))
    clients = make_clients(rng, max(50, round(CLIENTS_PER_SCALE * scale)), n_stylists)
    files = {
        "inventory_snapshots.parquet": make_inventory(rng, skus),
        "purchase_orders.csv": make_purchase_orders(rng, skus),
        "clients.csv": clients.drop(columns="stylist_id"),
        "orders.parquet": make_orders(rng, clients, n_stylists),
    }
    assert [*files, "manifest.json"] == LANDING_FILES
    staging = Path(tempfile.mkdtemp(prefix=".landing-", dir=out.parent))
    for name, frame in files.items():
        if name.endswith(".csv"):
            frame.to_csv(staging / name, index=False)
        else:
            frame.to_parquet(staging / name, index=False)
    manifest = {
        "seed": seed,
        "scale": scale,
        "as_of": AS_OF.date().isoformat(),
        "rows": {name: len(frame) for name, frame in files.items()},
    }
    publish(staging, out, manifest)
    return manifest


def publish(staging: Path, out: Path, manifest: dict) -> None:
    """Write ``manifest`` into the finished ``staging`` folder and move it into place as
    ``out`` (replacing it): readers never see a half-written landing zone."""
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("data/landing"),
        help="landing folder to (re)create (default: data/landing)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="size multiplier: 1 is ~31k rows, 160 is ~5M rows (default: 1)",
    )
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing when every landing file is already there",
    )
    args = parser.parse_args()
    if args.if_missing and all((args.out / name).exists() for name in LANDING_FILES):
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    manifest = generate(args.out.resolve(), args.seed, args.scale)
    total = sum(manifest["rows"].values())
    print(f"landing zone: {args.out} ({total:,} rows, seed {args.seed}, scale {args.scale})")


if __name__ == "__main__":
    main()
