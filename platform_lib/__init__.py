"""Tailor's platform blocks. A team imports these, Dagster and its own libraries (pandas,
numpy), never another team's package."""

from platform_lib.errors import LandingFileError, TailorError, TeamConventionError, WarehouseError
from platform_lib.landing import LandingZone
from platform_lib.table_checks import TableChecks
from platform_lib.team import team_definitions
from platform_lib.warehouse import WarehouseIOManager
from platform_lib.warehouse_asset import warehouse_asset
from platform_lib.warehouse_layout import open_warehouse

__all__ = [
    "LandingFileError",
    "LandingZone",
    "TableChecks",
    "TailorError",
    "TeamConventionError",
    "WarehouseError",
    "WarehouseIOManager",
    "open_warehouse",
    "team_definitions",
    "warehouse_asset",
]
