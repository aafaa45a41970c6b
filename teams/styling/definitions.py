"""Styling's code location: what it owns, composed by the platform.

It reads client_insights and merchandising assets by key, through the warehouse; its assets
follow theirs automatically, and the stylists' workload is refreshed each weekday morning.
"""

from platform_lib import TeamSchedule, team_definitions
from teams.styling import alerts, recommendations, workload

defs = team_definitions(
    "styling",
    alerts=alerts.routes,
    schedules=[
        TeamSchedule(
            "morning_workload",
            cron="0 7 * * 1-5",
            assets=["stylist_workload"],
            timezone="America/Los_Angeles",
        )
    ],
    assets=[recommendations, workload],
)
