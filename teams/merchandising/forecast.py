"""Demand forecast per category: trailing average demand against stock and open orders."""

import pandas as pd

from platform_lib import TableChecks, warehouse_asset
from teams.merchandising.contracts import DemandForecast

TRAILING_DAYS = 28
HORIZON_DAYS = 14
REORDER_BELOW_DAYS_OF_COVER = 21


def forecast_demand(inventory: pd.DataFrame, purchase_orders: pd.DataFrame) -> pd.DataFrame:
    """Forecast each category's next ``HORIZON_DAYS`` of demand as its trailing
    ``TRAILING_DAYS``-day mean daily shipments, and compare with stock plus open POs due
    within the horizon. A category with under ``REORDER_BELOW_DAYS_OF_COVER`` days of
    cover needs reordering."""
    as_of = inventory["snapshot_date"].max()
    window = inventory[inventory["snapshot_date"] > as_of - pd.Timedelta(days=TRAILING_DAYS)]
    daily = window.groupby(["category", "snapshot_date"])["units_shipped"].sum()
    demand = daily.groupby("category").agg(daily_demand_mean="mean", daily_demand_std="std")
    on_hand = inventory[inventory["snapshot_date"] == as_of].groupby("category")["on_hand"].sum()
    incoming = _incoming_units(purchase_orders, inventory, as_of)
    result = demand.join(on_hand).join(incoming).fillna({"incoming_units": 0}).reset_index()
    result["incoming_units"] = result["incoming_units"].astype("int64")
    result["as_of_date"] = as_of
    result["forecast_units"] = result["daily_demand_mean"] * HORIZON_DAYS
    result["days_of_cover"] = (result["on_hand"] + result["incoming_units"]) / result[
        "daily_demand_mean"
    ].where(result["daily_demand_mean"] > 0)
    result["needs_reorder"] = result["days_of_cover"] < REORDER_BELOW_DAYS_OF_COVER
    return result[
        [
            "category",
            "as_of_date",
            "daily_demand_mean",
            "daily_demand_std",
            "forecast_units",
            "on_hand",
            "incoming_units",
            "days_of_cover",
            "needs_reorder",
        ]
    ].sort_values("category", ignore_index=True)


def _incoming_units(
    purchase_orders: pd.DataFrame, inventory: pd.DataFrame, as_of: pd.Timestamp
) -> pd.Series:
    horizon_end = as_of + pd.Timedelta(days=HORIZON_DAYS)
    open_due = purchase_orders[
        (purchase_orders["status"] == "open") & (purchase_orders["expected_date"] <= horizon_end)
    ]
    category_of_sku = inventory.drop_duplicates("sku").set_index("sku")["category"]
    by_category = open_due.assign(category=open_due["sku"].map(category_of_sku))
    return by_category.groupby("category")["quantity"].sum().rename("incoming_units")


@warehouse_asset(contract=DemandForecast, table_checks=TableChecks(not_empty=True))
def demand_forecast(inventory: pd.DataFrame, raw_purchase_orders: pd.DataFrame) -> pd.DataFrame:
    """Next 14 days of demand per category (trailing 28-day mean of daily shipments), with
    stock on hand, open purchase orders due in the window, days of cover and a reorder flag.
    One row per category."""
    return forecast_demand(inventory, raw_purchase_orders)
