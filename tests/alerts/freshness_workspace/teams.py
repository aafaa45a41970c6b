"""Two small teams whose one asset is overdue a minute after it was materialized: crm takes
its alerts by email, ops by webhook. Loaded by the freshness alert tests as a workspace."""

from datetime import timedelta

import pandas as pd

from platform_lib import AlertRoutes, team_definitions, warehouse_asset


@warehouse_asset(freshness=timedelta(minutes=1))
def orders() -> pd.DataFrame:
    """Orders, expected every minute."""
    return pd.DataFrame({"order_id": [1, 2]})


crm = team_definitions("crm", assets=[orders], alerts=AlertRoutes(emails=("crm@example.com",)))
ops = team_definitions("ops", assets=[orders], alerts=AlertRoutes(webhook_env="OPS_HOOK"))
