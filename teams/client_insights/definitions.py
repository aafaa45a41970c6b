"""Client insights' code location: what it owns, composed by the platform."""

from platform_lib import team_definitions
from teams.client_insights import alerts, churn, ingest, profiles

defs = team_definitions("client_insights", alerts=alerts.routes, assets=[ingest, profiles, churn])
