"""Where Tailor's embedded parts live, read from the environment at run time.

Nothing here is evaluated at import: every function reads the environment when called,
so a code location loads without touching disk and a run sees the environment it runs in.
"""

import os
from pathlib import Path

WAREHOUSE_ENV = "TAILOR_WAREHOUSE_DIR"
LANDING_ENV = "TAILOR_LANDING_DIR"

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"


def warehouse_dir() -> Path:
    """The warehouse folder, one DuckDB file per team: ``$TAILOR_WAREHOUSE_DIR``, else
    ``data/warehouse``."""
    return Path(os.environ.get(WAREHOUSE_ENV) or DATA_DIR / "warehouse")


def landing_dir() -> Path:
    """The landing zone folder: ``$TAILOR_LANDING_DIR``, else ``data/landing``."""
    return Path(os.environ.get(LANDING_ENV) or DATA_DIR / "landing")


def dagster_home(root: Path, environment: str = "prod") -> Path:
    """The Dagster instance ``make dev`` keeps in the repository ``root`` for an environment
    (the Makefile's ``DAGSTER_HOME``): ``.dagster_home``, and ``.dagster_home/dev`` for
    ``TAILOR_ENV=dev``, so dev materializations never show as production's."""
    home = root / ".dagster_home"
    return home / "dev" if environment == "dev" else home
