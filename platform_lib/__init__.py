"""Tailor's platform blocks. A team imports these, Dagster and its own libraries (pandas,
numpy), never another team's package.

Names load on first use, so a code location pays only for the blocks it uses (pandera, for
one, is imported only by contracts).
"""

import importlib
from typing import Any

from platform_lib.errors import LandingFileError, TailorError, TeamConventionError, WarehouseError

_HOMES = {
    "AlertRoutes": "platform_lib.alert_delivery",
    "LandingZone": "platform_lib.landing",
    "ParallelJob": "platform_lib.parallel_job",
    "TableChecks": "platform_lib.table_checks",
    "TeamSchedule": "platform_lib.team_schedule",
    "WarehouseIOManager": "platform_lib.warehouse",
    "open_warehouse": "platform_lib.warehouse_layout",
    "team_definitions": "platform_lib.team",
    "warehouse_asset": "platform_lib.warehouse_asset",
}

__all__ = [
    "LandingFileError",
    "TailorError",
    "TeamConventionError",
    "WarehouseError",
    *_HOMES,
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'platform_lib' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
