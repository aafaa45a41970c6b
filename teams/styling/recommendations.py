"""Style recommendations: in-stock items in each client's preferred category."""

import numpy as np
import pandas as pd
from dagster import AssetIn

from platform_lib import warehouse_asset
from teams.styling.contracts import StyleRecommendations

PICKS_PER_CLIENT = 5
SHORTLIST_PER_CATEGORY = 20
ACTIVE_WITHIN_DAYS = 180


def recommend(profiles: pd.DataFrame, inventory: pd.DataFrame) -> pd.DataFrame:
    """For each client active in the last ``ACTIVE_WITHIN_DAYS`` days, ``PICKS_PER_CLIENT``
    SKUs of their preferred category, from that category's ``SHORTLIST_PER_CATEGORY``
    best-stocked SKUs on the latest day. Clients start at different places in the
    shortlist (by client id) so one SKU is not sent to everyone."""
    latest = inventory[inventory["snapshot_date"] == inventory["snapshot_date"].max()]
    in_stock = latest[latest["on_hand"] > 0].sort_values(
        ["category", "on_hand", "sku"], ascending=[True, False, True]
    )
    shortlist = in_stock.groupby("category").head(SHORTLIST_PER_CATEGORY).copy()
    shortlist["position"] = shortlist.groupby("category").cumcount()
    shortlist["size"] = shortlist.groupby("category")["sku"].transform("count")
    active = profiles[profiles["days_since_last_order"] <= ACTIVE_WITHIN_DAYS]
    pairs = active[["client_id", "style_preference"]].merge(
        shortlist, left_on="style_preference", right_on="category"
    )
    pairs["rank"] = (pairs["position"] - pairs["client_id"]) % pairs["size"] + 1
    picks = pairs[pairs["rank"] <= np.minimum(PICKS_PER_CLIENT, pairs["size"])]
    return picks[["client_id", "rank", "sku", "category", "on_hand"]].sort_values(
        ["client_id", "rank"], ignore_index=True
    )


@warehouse_asset(
    contract=StyleRecommendations,
    sample_by="client_id",
    ins={
        "client_profiles": AssetIn(
            key=["client_insights", "client_profiles"],
            metadata={
                "columns": {
                    "client_id": "int64",
                    "style_preference": "str",
                    "days_since_last_order": "float64",
                }
            },
        ),
        "inventory": AssetIn(
            key=["merchandising", "inventory"],
            metadata={
                "columns": {
                    "sku": "str",
                    "snapshot_date": "datetime64[ns]",
                    "category": "str",
                    "on_hand": "int64",
                }
            },
        ),
    },
)
def style_recommendations(client_profiles: pd.DataFrame, inventory: pd.DataFrame) -> pd.DataFrame:
    """Items to consider for each active client's next box: up to five in-stock SKUs of the
    client's preferred category, ranked 1-5. One row per client and pick."""
    return recommend(client_profiles, inventory)
