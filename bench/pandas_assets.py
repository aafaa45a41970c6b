"""Today's pandas versions (bench/pandas_versions.py) wrapped as the very assets the teams
rewrote in the lazy kinds: same names, contracts, checks and sample keys, pandas inside.
``team_versions.use_versions("pandas", team)`` swaps them in, and ``HELPERS``: functions the
kept assets call (merchandising's ``raw_inventory`` reads its landing file whole into pandas,
as before, through the team's own asset)."""

import duckdb
import pandas as pd
from pandas_versions import build_profiles, clean_inventory, forecast_demand, order_history

from platform_lib import LandingZone, TableChecks, warehouse_asset
from teams.client_insights.churn import FEATURES
from teams.client_insights.contracts import ClientProfiles
from teams.merchandising.contracts import DemandForecast, Inventory


def read_whole(landing: LandingZone, file: str, **options) -> duckdb.DuckDBPyRelation:
    """Today's landing read in place of ``LandingZone.relation``: the whole file into pandas
    (``raw_inventory`` is otherwise the team's own asset, contract and checks included), then
    handed to DuckDB as it is."""
    return duckdb.from_df(landing.read(file, **options))


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
        "inventory": inventory,
        "demand_forecast": demand_forecast,
    },
    "client_insights": {"client_profiles": client_profiles},
}


def churn_features(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """churn_risk's features from today's pandas ``order_history``."""
    return order_history(orders, as_of)[FEATURES].astype("float64")


HELPERS = {
    "merchandising": {"platform_lib.landing.zone:LandingZone.relation": read_whole},
    "client_insights": {"teams.client_insights.churn:churn_features": churn_features},
}
"""Functions swapped in as ``module:attribute`` (an attribute of a class included)."""
