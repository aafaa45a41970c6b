"""Today's pandas versions (bench/pandas_versions.py) wrapped as the very assets the teams
rewrote in the lazy kinds: same names, contracts, checks and sample keys, pandas inside.
``team_versions.use_versions("pandas", team)`` swaps them in, and ``HELPERS``: the module
functions of kept assets that call a rewritten one."""

import pandas as pd
from pandas_versions import build_profiles, clean_inventory, forecast_demand, order_history

from platform_lib import LandingZone, TableChecks, warehouse_asset
from teams.client_insights.churn import FEATURES
from teams.client_insights.contracts import ClientProfiles
from teams.merchandising.contracts import DemandForecast, Inventory, RawInventory
from teams.merchandising.ingest import DAILY_FEED, LANDED


@warehouse_asset(
    contract=RawInventory,
    table_checks=LANDED,
    freshness=DAILY_FEED,
    sample_by="sku",
    kinds={"parquet"},
)
def raw_inventory(landing: LandingZone) -> pd.DataFrame:
    """Daily stock snapshot per SKU and warehouse, read whole into pandas."""
    return landing.read("inventory_snapshots.parquet")


@warehouse_asset(contract=Inventory, table_checks=TableChecks(not_empty=True), sample_by="sku")
def inventory(raw_inventory: pd.DataFrame) -> pd.DataFrame:
    """Stock per SKU and day across warehouses, in pandas."""
    return clean_inventory(raw_inventory)


@warehouse_asset(contract=DemandForecast, table_checks=TableChecks(not_empty=True))
def demand_forecast(inventory: pd.DataFrame, raw_purchase_orders: pd.DataFrame) -> pd.DataFrame:
    """Next 14 days of demand per category, in pandas."""
    return forecast_demand(inventory, raw_purchase_orders)


@warehouse_asset(
    contract=ClientProfiles, table_checks=TableChecks(not_empty=True), sample_by="client_id"
)
def client_profiles(raw_clients: pd.DataFrame, raw_orders: pd.DataFrame) -> pd.DataFrame:
    """One row per client with their order history, in pandas."""
    return build_profiles(raw_clients, raw_orders)


VERSIONS = {
    "merchandising": {
        "raw_inventory": raw_inventory,
        "inventory": inventory,
        "demand_forecast": demand_forecast,
    },
    "client_insights": {"client_profiles": client_profiles},
}


def churn_features(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """churn_risk's features from today's pandas ``order_history``."""
    return order_history(orders, as_of)[FEATURES].astype("float64")


HELPERS = {"client_insights": {"teams.client_insights.churn.churn_features": churn_features}}
