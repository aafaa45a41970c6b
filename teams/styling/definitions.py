"""Styling's code location: what it owns, composed by the platform.

It reads client_insights and merchandising assets by key, through the warehouse.
"""

from platform_lib import team_definitions
from teams.styling import alerts, recommendations, workload

defs = team_definitions("styling", alerts=alerts.routes, assets=[recommendations, workload])
