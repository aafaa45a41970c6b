"""Cleaned inventory: one row per SKU and day across all warehouses, in SQL: the raw export
is bigger than memory at full scale, so DuckDB streams it from table to table."""

import duckdb

from platform_lib import TableChecks, warehouse_asset
from teams.merchandising.contracts import Inventory


def clean_inventory(raw: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Normalise category spelling, drop re-sent rows and sum stock over warehouses."""
    return duckdb.sql(
        """
        SELECT
            sku,
            snapshot_date,
            min(lower(trim(category))) AS category,  -- one SKU, one category once normalised
            sum(on_hand)::BIGINT AS on_hand,
            sum(units_shipped)::BIGINT AS units_shipped,
            avg(unit_cost) AS unit_cost
        FROM (SELECT DISTINCT * FROM raw)  -- the export re-sends some rows
        GROUP BY sku, snapshot_date
        ORDER BY sku, snapshot_date
        """
    )


@warehouse_asset(contract=Inventory, table_checks=TableChecks(not_empty=True), sample_by="sku")
def inventory(raw_inventory: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Stock per SKU and day: units on hand and shipped across all warehouses, with the
    SKU's category (lower case) and unit cost. One row per SKU and snapshot date."""
    return clean_inventory(raw_inventory)
