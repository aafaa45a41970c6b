"""Client insights' code location: what it owns, composed by the platform."""

from platform_lib import team_definitions
from teams.client_insights import churn, ingest, profiles

defs = team_definitions("client_insights", assets=[ingest, profiles, churn])
