"""Tailor's platform blocks. A team imports these, Dagster and its own libraries (pandas,
numpy), never another team's package."""

from platform_lib.errors import LandingFileError, TailorError, TeamConventionError, WarehouseError
from platform_lib.landing import LandingZone
from platform_lib.team import team_definitions
from platform_lib.warehouse import WarehouseIOManager

__all__ = [
    "LandingFileError",
    "LandingZone",
    "TailorError",
    "TeamConventionError",
    "WarehouseError",
    "WarehouseIOManager",
    "team_definitions",
]
