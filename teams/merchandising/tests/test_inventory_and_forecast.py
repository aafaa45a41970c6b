"""Merchandising's business logic on small frames (as relations: the logic is SQL)."""

import duckdb
import pandas as pd
import pytest

from teams.merchandising.forecast import HORIZON_DAYS, TRAILING_DAYS, forecast_demand
from teams.merchandising.inventory import clean_inventory


def test_cleaning_normalises_category_drops_resent_rows_and_sums_warehouses():
    day = pd.Timestamp("2026-10-01")
    raw = pd.DataFrame(
        {
            "snapshot_date": [day, day, day, day],
            "sku": ["A", "A", "A", "B"],
            "category": [" Dresses", "dresses", "dresses", "TOPS"],
            "warehouse": ["reno", "dallas", "dallas", "reno"],
            "on_hand": [3, 4, 4, 7],
            "units_shipped": [1, 2, 2, 0],
            "unit_cost": [10.0, 10.0, 10.0, 5.0],
        }
    )
    cleaned = clean_inventory(duckdb.from_df(raw)).df()
    assert cleaned.to_dict("records") == [
        {
            "sku": "A",
            "snapshot_date": day,
            "category": "dresses",
            "on_hand": 7,
            "units_shipped": 3,
            "unit_cost": 10.0,
        },
        {
            "sku": "B",
            "snapshot_date": day,
            "category": "tops",
            "on_hand": 7,
            "units_shipped": 0,
            "unit_cost": 5.0,
        },
    ]


def test_forecast_is_trailing_mean_with_cover_from_stock_and_open_orders_due():
    days = pd.date_range("2026-09-01", periods=40, freq="D")
    inventory = pd.DataFrame(
        {
            "sku": "A",
            "snapshot_date": days,
            "category": "dresses",
            # 4 units a day inside the trailing window, 100 a day before it
            "units_shipped": [100] * (40 - TRAILING_DAYS) + [4] * TRAILING_DAYS,
            "on_hand": 20,
            "unit_cost": 1.0,
        }
    )
    as_of = days[-1]
    orders = pd.DataFrame(
        {
            "sku": ["A", "A", "A"],
            "status": ["open", "open", "received"],
            "expected_date": [
                as_of + pd.Timedelta(days=3),
                as_of + pd.Timedelta(days=HORIZON_DAYS + 5),
                as_of + pd.Timedelta(days=1),
            ],
            "quantity": [40, 1000, 1000],
        }
    )
    row = forecast_demand(duckdb.from_df(inventory), duckdb.from_df(orders)).df().iloc[0]
    assert row["daily_demand_mean"] == pytest.approx(4)
    assert row["forecast_units"] == pytest.approx(4 * HORIZON_DAYS)
    assert row["incoming_units"] == 40  # only the open order due inside the horizon
    assert row["days_of_cover"] == pytest.approx((20 + 40) / 4)
    assert bool(row["needs_reorder"]) is True
