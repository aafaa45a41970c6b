"""What the alert tests share: successive ticks of a team's sensor on the test's instance."""

import pytest
from dagster import build_sensor_context


class Ticks:
    """Successive ticks of one sensor, each from the previous tick's cursor."""

    def __init__(self, sensor, instance):
        self.sensor, self.instance, self.cursor = sensor, instance, None

    def __call__(self) -> None:
        context = build_sensor_context(instance=self.instance, cursor=self.cursor)
        self.sensor(context)
        self.cursor = context.cursor


@pytest.fixture
def ticks_of(disk_instance):
    """``ticks_of(defs, "_freshness_alerts")``: ticks of the team's sensor so named."""

    def ticks(defs, suffix: str) -> Ticks:
        return Ticks(next(s for s in defs.sensors if s.name.endswith(suffix)), disk_instance)

    return ticks
