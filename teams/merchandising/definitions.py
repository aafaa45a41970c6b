"""Merchandising's code location: what it owns, composed by the platform."""

from platform_lib import ParallelJob, TeamSchedule, team_definitions
from teams.merchandising import alerts, forecast, ingest, inventory

defs = team_definitions(
    "merchandising",
    alerts=alerts.routes,
    schedules=[TeamSchedule("nightly", cron="0 2 * * *", timezone="America/Los_Angeles")],
    assets=[ingest, inventory, forecast],
    jobs=[ParallelJob("ingest_feeds", assets=["raw_inventory", "raw_purchase_orders"])],
)
