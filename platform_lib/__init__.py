"""Tailor's platform blocks. Teams import from here and from Dagster, nothing else."""

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
