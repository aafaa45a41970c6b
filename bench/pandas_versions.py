"""Today's pandas versions of the assets issue 19 moved to SQL and polars, kept as the
benchmarks' baseline ("today's pandas"): merchandising's ``clean_inventory`` and
``forecast_demand`` (now DuckDB relations) and client insights' ``build_profiles`` (now a
polars LazyFrame), exactly as they were before the move, with the helpers they call.
``tests/team/test_lazy_examples.py`` proves the new versions give the same frames.
"""

import pandas as pd

TRAILING_DAYS = 28
HORIZON_DAYS = 14
REORDER_BELOW_DAYS_OF_COVER = 21


def clean_inventory(raw: pd.DataFrame) -> pd.DataFrame:
    """Normalise category spelling, drop re-sent rows and sum stock over warehouses.

    (The pre-issue-19 pandas version, kept as the benchmark's baseline.)
    """
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


def forecast_demand(inventory: pd.DataFrame, purchase_orders: pd.DataFrame) -> pd.DataFrame:
    """Forecast each category's next ``HORIZON_DAYS`` of demand as its trailing
    ``TRAILING_DAYS``-day mean daily shipments, and compare with stock plus open POs due
    within the horizon. A category with under ``REORDER_BELOW_DAYS_OF_COVER`` days of
    cover needs reordering.

    (The pre-issue-19 pandas version, kept as the benchmark's baseline.)
    """
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


def order_history(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per client, from orders placed before ``as_of``: count, items, keep rate, revenue,
    last order date and the stylist who styled most of their boxes.

    (The pre-issue-19 pandas version, kept as the benchmark's baseline.)
    """
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
    Clients who never ordered have zero orders and no keep rate.

    (The pre-issue-19 pandas version, kept as the benchmark's baseline.)
    """
    as_of = orders["order_date"].max() + pd.Timedelta(days=1)
    profiles = clients.merge(order_history(orders, as_of), on="client_id", how="left")
    counts = ["n_orders", "items_sent", "items_kept"]
    profiles[counts] = profiles[counts].fillna(0).astype("int64")
    profiles["total_revenue"] = profiles["total_revenue"].fillna(0.0)
    profiles["primary_stylist_id"] = profiles["primary_stylist_id"].astype("Int64")
    profiles["tenure_days"] = (as_of - profiles["signup_date"]).dt.days
    return profiles.sort_values("client_id", ignore_index=True)
