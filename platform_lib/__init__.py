"""Tailor's platform blocks. A team imports these, Dagster and its own libraries (pandas,
numpy), never another team's package; every name a team uses is importable from here.

Names load on first use, so a code location pays only for the blocks it uses (pandera, for
one, is imported only by contracts). The packages behind them, and what each may import,
are mapped in docs/architecture.md.
"""

import importlib
from typing import Any

from platform_lib.errors import LandingFileError, TailorError, TeamConventionError, WarehouseError

_HOMES = {
    "AlertRoutes": "platform_lib.alerts.delivery",
    "LakeUpkeep": "platform_lib.warehouse.upkeep",
    "LandingZone": "platform_lib.landing.zone",
    "ParallelJob": "platform_lib.team.jobs",
    "TableChecks": "platform_lib.contracts.table_checks",
    "TeamSchedule": "platform_lib.team.jobs",
    "WarehouseIOManager": "platform_lib.warehouse.io_manager",
    "open_warehouse": "platform_lib.warehouse.notebook",
    "team_definitions": "platform_lib.team.definitions",
    "warehouse_asset": "platform_lib.contracts.asset",
    "warehouse_tables": "platform_lib.warehouse.notebook",
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
