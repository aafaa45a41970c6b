"""Styling's code location: what it owns, composed by the platform.

It reads client_insights and merchandising assets by key, through the warehouse.
"""

from platform_lib import team_definitions
from teams.styling import recommendations, workload

defs = team_definitions("styling", assets=[recommendations, workload])
