"""Materializing every asset of all three teams into a temporary warehouse succeeds, in
dependency order across locations, with the expected tables, row counts and metadata."""

from dagster import AssetKey, DagsterInstance

CRM_COLUMNS = ["client_id", "signup_date", "region", "size", "style_preference", "budget_per_item"]
EXPECTED_COLUMNS = {
    "merchandising.raw_inventory": [
        "snapshot_date",
        "sku",
        "category",
        "warehouse",
        "on_hand",
        "units_shipped",
        "unit_cost",
    ],
    "merchandising.raw_purchase_orders": [
        "po_id",
        "sku",
        "order_date",
        "expected_date",
        "quantity",
        "status",
    ],
    "merchandising.inventory": [
        "sku",
        "snapshot_date",
        "category",
        "on_hand",
        "units_shipped",
        "unit_cost",
    ],
    "merchandising.demand_forecast": [
        "category",
        "as_of_date",
        "daily_demand_mean",
        "daily_demand_std",
        "forecast_units",
        "on_hand",
        "incoming_units",
        "days_of_cover",
        "needs_reorder",
    ],
    "client_insights.raw_clients": [
        "client_id",
        "signup_date",
        "region",
        "size",
        "style_preference",
        "budget_per_item",
    ],
    "client_insights.raw_orders": [
        "order_id",
        "client_id",
        "order_date",
        "stylist_id",
        "items_sent",
        "items_kept",
        "revenue",
    ],
    "client_insights.client_profiles": [
        *CRM_COLUMNS,
        "n_orders",
        "items_sent",
        "items_kept",
        "total_revenue",
        "last_order_date",
        "keep_rate",
        "days_since_last_order",
        "primary_stylist_id",
        "tenure_days",
    ],
    "client_insights.churn_risk": ["client_id", "churn_probability", "risk_band"],
    "styling.style_recommendations": ["client_id", "rank", "sku", "category", "on_hand"],
    "styling.stylist_workload": [
        "stylist_id",
        "clients_to_style",
        "items_to_review",
        "at_risk_clients",
        "at_risk_share",
    ],
}


def test_all_teams_materialize_in_dependency_order_with_row_counts_and_table_metadata(
    materialize_workspace, read_table, landing_manifest, materialized_workspace
):
    """One materialization of the whole workspace, its tables and its metadata checked."""
    order = materialize_workspace()
    assert order.index("styling") > order.index("merchandising")
    assert order.index("styling") > order.index("client_insights")

    tables = {name: read_table(name) for name in EXPECTED_COLUMNS}
    for name, columns in EXPECTED_COLUMNS.items():
        assert list(tables[name].columns) == columns, name
        assert len(tables[name]) > 0, name

    rows = landing_manifest["rows"]
    raw_inventory = tables["merchandising.raw_inventory"]
    assert len(raw_inventory) == rows["inventory_snapshots.parquet"]
    assert len(tables["merchandising.raw_purchase_orders"]) == rows["purchase_orders.csv"]
    assert len(tables["client_insights.raw_clients"]) == rows["clients.csv"]
    assert len(tables["client_insights.raw_orders"]) == rows["orders.parquet"]

    inventory = tables["merchandising.inventory"]
    assert len(inventory) == len(raw_inventory.drop_duplicates(["sku", "snapshot_date"]))
    assert not inventory.duplicated(["sku", "snapshot_date"]).any()
    assert len(tables["merchandising.demand_forecast"]) == inventory["category"].nunique() == 8

    profiles = tables["client_insights.client_profiles"]
    assert len(profiles) == rows["clients.csv"]
    churn = tables["client_insights.churn_risk"]
    assert len(churn) == tables["client_insights.raw_orders"]["client_id"].nunique()
    assert churn["churn_probability"].between(0, 1).all()

    recommendations = tables["styling.style_recommendations"]
    assert recommendations.groupby("client_id").size().max() == 5
    assert set(recommendations["client_id"]) <= set(profiles["client_id"])
    workload = tables["styling.stylist_workload"]
    assert workload["clients_to_style"].sum() == recommendations["client_id"].nunique()
    assert workload["items_to_review"].sum() == len(recommendations)

    # the materializations carry their row count and table metadata
    with DagsterInstance.from_config(str(materialized_workspace[0] / "instance")) as instance:
        event = instance.get_latest_materialization_event(AssetKey(["merchandising", "inventory"]))
    metadata = event.asset_materialization.metadata
    assert metadata["dagster/table_name"].value == "merchandising.main.inventory"
    assert metadata["dagster/row_count"].value > 0
    assert "sku" in metadata["preview"].value
    columns = [column.name for column in metadata["dagster/column_schema"].schema.columns]
    assert columns == EXPECTED_COLUMNS["merchandising.inventory"]
