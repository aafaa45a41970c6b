"""Client insights' code location: what it owns, composed by the platform."""

from platform_lib import TeamSchedule, team_definitions
from teams.client_insights import alerts, churn, ingest, profiles

defs = team_definitions(
    "client_insights",
    alerts=alerts.routes,
    schedules=[TeamSchedule("nightly", cron="0 3 * * *", timezone="America/Los_Angeles")],
    assets=[ingest, profiles, churn],
)
