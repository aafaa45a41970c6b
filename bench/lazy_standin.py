"""A stand-in for merchandising's lazy assets until the team's own rewrite lands: raw_inventory
as a lazy landing read, inventory and demand_forecast as DuckDB SQL, same contracts."""

import duckdb

from platform_lib import LandingZone, TableChecks, warehouse_asset
from teams.merchandising.contracts import DemandForecast, Inventory, RawInventory
from teams.merchandising.ingest import DAILY_FEED, LANDED


@warehouse_asset(contract=RawInventory, table_checks=LANDED, freshness=DAILY_FEED, sample_by="sku")
def raw_inventory(landing: LandingZone) -> duckdb.DuckDBPyRelation:
    """Daily stock snapshot per SKU and warehouse, exactly as the WMS exports it."""
    return duckdb.read_parquet(str(landing.folder() / "inventory_snapshots.parquet"))


@warehouse_asset(contract=Inventory, table_checks=TableChecks(not_empty=True), sample_by="sku")
def inventory(raw_inventory: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Stock per SKU and day across warehouses."""
    return duckdb.sql(
        """
        SELECT sku, snapshot_date, first(lower(trim(category))) AS category,
               sum(on_hand)::BIGINT AS on_hand, sum(units_shipped)::BIGINT AS units_shipped,
               avg(unit_cost) AS unit_cost
        FROM (SELECT DISTINCT * FROM raw_inventory)
        GROUP BY sku, snapshot_date
        ORDER BY sku, snapshot_date
        """
    )


@warehouse_asset(contract=DemandForecast, table_checks=TableChecks(not_empty=True))
def demand_forecast(
    inventory: duckdb.DuckDBPyRelation, raw_purchase_orders: duckdb.DuckDBPyRelation
) -> duckdb.DuckDBPyRelation:
    """Next 14 days of demand per category, against stock and open orders."""
    return duckdb.sql(
        """
        WITH as_of AS (SELECT max(snapshot_date) AS day FROM inventory),
        daily AS (
            SELECT category, snapshot_date, sum(units_shipped) AS shipped
            FROM inventory, as_of WHERE snapshot_date > day - INTERVAL 28 DAY GROUP BY ALL),
        demand AS (
            SELECT category, avg(shipped) AS mean, stddev_samp(shipped) AS std
            FROM daily GROUP BY ALL),
        stock AS (
            SELECT category, sum(on_hand)::BIGINT AS on_hand
            FROM inventory, as_of WHERE snapshot_date = day GROUP BY ALL),
        incoming AS (
            SELECT c.category, sum(p.quantity)::BIGINT AS units
            FROM raw_purchase_orders p
            JOIN (SELECT sku, any_value(category) AS category FROM inventory GROUP BY sku) c
              USING (sku), as_of
            WHERE p.status = 'open' AND p.expected_date <= day + INTERVAL 14 DAY GROUP BY ALL)
        SELECT d.category, as_of.day AS as_of_date, d.mean AS daily_demand_mean,
               d.std AS daily_demand_std, d.mean * 14 AS forecast_units, s.on_hand,
               coalesce(i.units, 0) AS incoming_units,
               (s.on_hand + coalesce(i.units, 0)) / nullif(d.mean, 0) AS days_of_cover,
               coalesce(days_of_cover < 21, false) AS needs_reorder
        FROM demand d JOIN stock s USING (category) LEFT JOIN incoming i USING (category), as_of
        ORDER BY d.category
        """
    )


VERSIONS = {
    "raw_inventory": raw_inventory,
    "inventory": inventory,
    "demand_forecast": demand_forecast,
}
