"""Where styling's alerts go. Secrets live in the environment, never in this file; with none
of these variables set, alerts are written to $DAGSTER_HOME/tailor_alerts.log."""

from platform_lib import AlertRoutes

routes = AlertRoutes(
    slack_webhook_env="STYLING_SLACK_WEBHOOK",
    webhook_env="STYLING_ALERT_WEBHOOK",
    emails=(),
)
