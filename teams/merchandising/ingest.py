"""Raw feeds from the warehouse-management and purchasing systems, as landed."""

import pandas as pd
from dagster import asset

from platform_lib import LandingZone


@asset(kinds={"parquet"})
def raw_inventory(landing: LandingZone) -> pd.DataFrame:
    """Daily stock snapshot per SKU and warehouse, exactly as the WMS exports it.

    Known mess: category spelling varies and the export re-sends some rows.
    """
    return landing.read("inventory_snapshots.parquet")


@asset(kinds={"csv"})
def raw_purchase_orders(landing: LandingZone) -> pd.DataFrame:
    """Purchase orders placed with vendors: one row per PO line, with status and due date."""
    return landing.read("purchase_orders.csv", parse_dates=["order_date", "expected_date"])
