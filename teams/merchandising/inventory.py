"""Cleaned inventory: one row per SKU and day across all warehouses."""

import pandas as pd

from platform_lib import TableChecks, warehouse_asset
from teams.merchandising.contracts import Inventory


def clean_inventory(raw: pd.DataFrame) -> pd.DataFrame:
    """Normalise category spelling, drop re-sent rows and sum stock over warehouses."""
    deduplicated = raw.drop_duplicates()
    normalised = deduplicated.assign(category=deduplicated["category"].str.strip().str.lower())
    return (
        normalised.groupby(["sku", "snapshot_date"], as_index=False)
        .agg(
            category=("category", "first"),
            on_hand=("on_hand", "sum"),
            units_shipped=("units_shipped", "sum"),
            unit_cost=("unit_cost", "mean"),
        )
        .sort_values(["sku", "snapshot_date"], ignore_index=True)
    )


@warehouse_asset(contract=Inventory, table_checks=TableChecks(not_empty=True), sample_by="sku")
def inventory(raw_inventory: pd.DataFrame) -> pd.DataFrame:
    """Stock per SKU and day: units on hand and shipped across all warehouses, with the
    SKU's category (lower case) and unit cost. One row per SKU and snapshot date."""
    return clean_inventory(raw_inventory)
