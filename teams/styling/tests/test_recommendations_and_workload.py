"""Styling's business logic on small frames."""

import pandas as pd

from teams.styling.recommendations import PICKS_PER_CLIENT, recommend
from teams.styling.workload import workload

DAY = pd.Timestamp("2026-10-31")


def inventory_frame():
    skus = [f"T{i}" for i in range(8)] + ["D0", "D1"]
    return pd.DataFrame(
        {
            "sku": skus,
            "snapshot_date": DAY,
            "category": ["tops"] * 8 + ["dresses"] * 2,
            "on_hand": [9, 8, 7, 6, 5, 4, 3, 0, 2, 1],
        }
    )


def test_recommends_five_in_stock_picks_of_the_preferred_category_and_rotates():
    profiles = pd.DataFrame(
        {
            "client_id": [1, 2, 3, 4],
            "style_preference": ["tops", "tops", "dresses", "tops"],
            "days_since_last_order": [10, 10, 10, 400],
        }
    )
    picks = recommend(profiles, inventory_frame())
    first, second = (set(picks.loc[picks["client_id"] == c, "sku"]) for c in (1, 2))
    assert len(first) == len(second) == PICKS_PER_CLIENT
    assert first != second  # clients start at different places in the shortlist
    assert "T7" not in first | second  # out of stock
    assert set(picks.loc[picks["client_id"] == 3, "sku"]) == {"D0", "D1"}
    assert 4 not in set(picks["client_id"])  # inactive for over 180 days
    assert sorted(picks.loc[picks["client_id"] == 1, "rank"]) == [1, 2, 3, 4, 5]


def test_workload_counts_clients_items_and_high_risk_per_stylist():
    recommendations = pd.DataFrame({"client_id": [1, 1, 2, 3], "sku": ["a", "b", "c", "d"]})
    profiles = pd.DataFrame({"client_id": [1, 2, 3], "primary_stylist_id": [10, 10, 11]})
    churn = pd.DataFrame({"client_id": [1, 2], "risk_band": ["high", "low"]})
    result = workload(recommendations, profiles, churn).set_index("stylist_id")
    assert result.loc[10].to_dict() == {
        "clients_to_style": 2,
        "items_to_review": 3,
        "at_risk_clients": 1,
        "at_risk_share": 0.5,
    }
    assert result.loc[11, "at_risk_clients"] == 0  # client 3 has no churn score
