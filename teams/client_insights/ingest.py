"""Raw feeds from the CRM and the order system, as landed."""

import pandas as pd
from dagster import asset

from platform_lib import LandingZone


@asset(kinds={"csv"})
def raw_clients(landing: LandingZone) -> pd.DataFrame:
    """Client records from the CRM: one row per client with signup date, region, size,
    style preference and typical budget per item."""
    return landing.read("clients.csv", parse_dates=["signup_date"])


@asset(kinds={"parquet"})
def raw_orders(landing: LandingZone) -> pd.DataFrame:
    """Boxes shipped to clients: one row per order with its stylist, items sent and kept,
    and revenue."""
    return landing.read("orders.parquet")
