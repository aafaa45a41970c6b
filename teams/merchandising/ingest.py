"""Raw feeds from the warehouse-management and purchasing systems, as landed."""

from datetime import timedelta

import duckdb
import pandas as pd

from platform_lib import LandingZone, TableChecks, warehouse_asset
from teams.merchandising.contracts import RawInventory, RawPurchaseOrders

LANDED = TableChecks(not_empty=True, max_change=3.0)
DAILY_FEED = timedelta(hours=26)


@warehouse_asset(
    contract=RawInventory,
    table_checks=LANDED,
    freshness=DAILY_FEED,
    sample_by="sku",
    kinds={"parquet"},
)
def raw_inventory(landing: LandingZone) -> duckdb.DuckDBPyRelation:
    """Daily stock snapshot per SKU and warehouse, exactly as the WMS exports it.

    Known mess: category spelling varies and the export re-sends some rows.
    """
    return landing.relation("inventory_snapshots.parquet")  # streamed, never held in Python


@warehouse_asset(
    contract=RawPurchaseOrders,
    table_checks=LANDED,
    freshness=DAILY_FEED,
    sample_by="sku",
    kinds={"csv"},
)
def raw_purchase_orders(landing: LandingZone) -> pd.DataFrame:
    """Purchase orders placed with vendors: one row per PO line, with status and due date."""
    return landing.read("purchase_orders.csv", parse_dates=["order_date", "expected_date"])
