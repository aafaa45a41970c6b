"""Demand forecast per category: trailing average demand against stock and open orders, in
SQL over the inventory table (never loaded into Python)."""

import duckdb

from platform_lib import TableChecks, warehouse_asset
from teams.merchandising.contracts import DemandForecast

TRAILING_DAYS = 28
HORIZON_DAYS = 14
REORDER_BELOW_DAYS_OF_COVER = 21


def forecast_demand(
    inventory: duckdb.DuckDBPyRelation, purchase_orders: duckdb.DuckDBPyRelation
) -> duckdb.DuckDBPyRelation:
    """Forecast each category's next ``HORIZON_DAYS`` of demand as its trailing
    ``TRAILING_DAYS``-day mean daily shipments, and compare with stock plus open POs due
    within the horizon. A category with under ``REORDER_BELOW_DAYS_OF_COVER`` days of
    cover needs reordering."""
    return duckdb.sql(
        f"""
        WITH as_of AS (SELECT max(snapshot_date) AS as_of_date FROM inventory),
        daily AS (
            SELECT category, snapshot_date, sum(units_shipped) AS shipped
            FROM inventory, as_of
            WHERE snapshot_date > as_of_date - INTERVAL {TRAILING_DAYS} DAY
            GROUP BY category, snapshot_date
        ),
        demand AS (
            SELECT
                category,
                avg(shipped) AS daily_demand_mean,
                stddev_samp(shipped) AS daily_demand_std
            FROM daily
            GROUP BY category
        ),
        stock AS (
            SELECT category, sum(on_hand)::BIGINT AS on_hand
            FROM inventory, as_of
            WHERE snapshot_date = as_of_date
            GROUP BY category
        ),
        category_of_sku AS (SELECT sku, min(category) AS category FROM inventory GROUP BY sku),
        incoming AS (
            SELECT category, sum(quantity)::BIGINT AS incoming_units
            FROM purchase_orders JOIN category_of_sku USING (sku), as_of
            WHERE status = 'open' AND expected_date <= as_of_date + INTERVAL {HORIZON_DAYS} DAY
            GROUP BY category
        ),
        cover AS (
            SELECT
                category,
                as_of_date,
                daily_demand_mean,
                daily_demand_std,
                daily_demand_mean * {HORIZON_DAYS} AS forecast_units,
                on_hand,
                coalesce(incoming_units, 0) AS incoming_units,
                (on_hand + coalesce(incoming_units, 0))
                    / CASE WHEN daily_demand_mean > 0 THEN daily_demand_mean END AS days_of_cover
            FROM demand
            CROSS JOIN as_of
            LEFT JOIN stock USING (category)
            LEFT JOIN incoming USING (category)
        )
        SELECT
            *,
            coalesce(days_of_cover < {REORDER_BELOW_DAYS_OF_COVER}, false) AS needs_reorder
        FROM cover
        ORDER BY category
        """
    )


@warehouse_asset(contract=DemandForecast, table_checks=TableChecks(not_empty=True))
def demand_forecast(
    inventory: duckdb.DuckDBPyRelation, raw_purchase_orders: duckdb.DuckDBPyRelation
) -> duckdb.DuckDBPyRelation:
    """Next 14 days of demand per category (trailing 28-day mean of daily shipments), with
    stock on hand, open purchase orders due in the window, days of cover and a reorder flag.
    One row per category."""
    return forecast_demand(inventory, raw_purchase_orders)
