"""Raw feeds from the CRM and the order system, as landed."""

from datetime import timedelta

import pandas as pd

from platform_lib import LandingZone, TableChecks, warehouse_asset
from teams.client_insights.contracts import ORDERS_SQL_CHECKS, RawClients, RawOrders

LANDED = TableChecks(not_empty=True, max_change=3.0)
DAILY_FEED = timedelta(hours=26)


@warehouse_asset(
    contract=RawClients,
    table_checks=LANDED,
    freshness=DAILY_FEED,
    sample_by="client_id",
    kinds={"csv"},
)
def raw_clients(landing: LandingZone) -> pd.DataFrame:
    """Client records from the CRM: one row per client with signup date, region, size,
    style preference and typical budget per item."""
    return landing.read("clients.csv", parse_dates=["signup_date"])


@warehouse_asset(
    contract=RawOrders,
    sql_checks=ORDERS_SQL_CHECKS,
    table_checks=LANDED,
    freshness=DAILY_FEED,
    sample_by="client_id",
    kinds={"parquet"},
)
def raw_orders(landing: LandingZone) -> pd.DataFrame:
    """Boxes shipped to clients: one row per order with its stylist, items sent and kept,
    and revenue."""
    return landing.read("orders.parquet")
