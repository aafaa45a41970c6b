"""Where client_insights's alerts go. Secrets live in the environment, never in this file; with none
of these variables set, alerts are written to $DAGSTER_HOME/tailor_alerts.log."""

from platform_lib import AlertRoutes

routes = AlertRoutes(
    slack_webhook_env="CLIENT_INSIGHTS_SLACK_WEBHOOK",
    webhook_env="CLIENT_INSIGHTS_ALERT_WEBHOOK",
    emails=(),
)
