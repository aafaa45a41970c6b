"""The alert sensors every team gets without writing one: its failed runs, failed checks
and overdue assets reach its alert routes (``run_failures``, ``check_failures``,
``freshness``)."""

from collections.abc import Callable, Iterable

from dagster import (
    AssetsDefinition,
    DefaultSensorStatus,
    SensorDefinition,
    SensorEvaluationContext,
    sensor,
)

from platform_lib.alerts.check_failures import check_failure_evaluation
from platform_lib.alerts.delivery import AlertRoutes
from platform_lib.alerts.freshness import freshness_evaluation
from platform_lib.alerts.run_failures import run_failure_alerts


def alert_sensors(
    team: str, routes: AlertRoutes, assets: Iterable[AssetsDefinition]
) -> list[SensorDefinition]:
    """The team's run-failure and check-failure alert sensors, and its freshness sensor when
    any of its ``assets`` has a FreshnessPolicy; all running from the start."""
    assets = list(assets)
    check_keys = [spec.key for asset in assets for spec in asset.check_specs]
    policies = {
        spec.key: spec.freshness_policy
        for asset in assets
        for spec in asset.specs
        if spec.freshness_policy is not None
    }
    sensors = [
        run_failure_alerts(team, routes),
        _polling_sensor(
            f"{team}_check_failure_alerts",
            f"{team}'s failed checks",
            check_failure_evaluation(team, routes, check_keys),
        ),
    ]
    if policies:  # a team with no FreshnessPolicy has nothing to watch
        sensors.append(
            _polling_sensor(
                f"{team}_freshness_alerts",
                f"{team}'s overdue assets (FreshnessPolicy)",
                freshness_evaluation(team, routes, policies),
            )
        )
    return sensors


def _polling_sensor(
    name: str, what: str, evaluate: Callable[[SensorEvaluationContext], None]
) -> SensorDefinition:
    """A sensor running ``evaluate`` every 30 seconds, on from the start."""
    return sensor(
        name=name,
        default_status=DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
        description=f"Sends {what} to its alert routes.",
    )(evaluate)
