"""Client profiles: each client's history summarised into one row."""

import pandas as pd

from platform_lib import TableChecks, warehouse_asset
from teams.client_insights.contracts import ClientProfiles


def order_history(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per client, from orders placed before ``as_of``: count, items, keep rate, revenue,
    last order date and the stylist who styled most of their boxes."""
    past = orders[orders["order_date"] < as_of]
    history = past.groupby("client_id").agg(
        n_orders=("order_id", "count"),
        items_sent=("items_sent", "sum"),
        items_kept=("items_kept", "sum"),
        total_revenue=("revenue", "sum"),
        last_order_date=("order_date", "max"),
    )
    history["keep_rate"] = history["items_kept"] / history["items_sent"]
    history["days_since_last_order"] = (as_of - history["last_order_date"]).dt.days
    history["primary_stylist_id"] = (
        past.groupby(["client_id", "stylist_id"])
        .size()
        .rename("boxes")
        .reset_index()
        .sort_values(["client_id", "boxes", "stylist_id"], ascending=[True, False, True])
        .drop_duplicates("client_id")
        .set_index("client_id")["stylist_id"]
    )
    return history


def build_profiles(clients: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """One row per client: CRM attributes plus order history as of the latest order day.
    Clients who never ordered have zero orders and no keep rate."""
    as_of = orders["order_date"].max() + pd.Timedelta(days=1)
    profiles = clients.merge(order_history(orders, as_of), on="client_id", how="left")
    counts = ["n_orders", "items_sent", "items_kept"]
    profiles[counts] = profiles[counts].fillna(0).astype("int64")
    profiles["total_revenue"] = profiles["total_revenue"].fillna(0.0)
    profiles["primary_stylist_id"] = profiles["primary_stylist_id"].astype("Int64")
    profiles["tenure_days"] = (as_of - profiles["signup_date"]).dt.days
    return profiles.sort_values("client_id", ignore_index=True)


@warehouse_asset(
    contract=ClientProfiles, table_checks=TableChecks(not_empty=True), sample_by="client_id"
)
def client_profiles(raw_clients: pd.DataFrame, raw_orders: pd.DataFrame) -> pd.DataFrame:
    """One row per client: region, size, style preference, budget, tenure, and order
    history (orders, items sent and kept, keep rate, revenue, recency, primary stylist)."""
    return build_profiles(raw_clients, raw_orders)
