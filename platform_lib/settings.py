"""Where Tailor's embedded parts live, read from the environment at run time.

Nothing here is evaluated at import: every function reads the environment when called,
so a code location loads without touching disk and a run sees the environment it runs in.
"""

import os
import socket
import tempfile
from pathlib import Path

WAREHOUSE_ENV = "TAILOR_WAREHOUSE_DIR"
LANDING_ENV = "TAILOR_LANDING_DIR"
UI_URL_ENV = "TAILOR_UI_URL"
UI_HOST_ENV, UI_PORT_ENV = "TAILOR_UI_HOST", "TAILOR_UI_PORT"
"""Where the Dagster UI serves: set by ``make dev`` (its HOST and PORT) and by the rendered
``supervisord.conf`` (the webserver's host and port), for the links in alerts."""
WILDCARD_HOSTS = ("0.0.0.0", "::")
RUN_MEMORY_ENV = "TAILOR_RUN_MEMORY"
"""DuckDB's memory limit in each process that runs assets (``4GB``, ``512MiB``); see
``warehouse.memory`` for the default."""
SPILL_DIR_ENV = "TAILOR_SPILL_DIR"
"""The scratch folder under which each such process spills to a folder of its own."""

LAKE_ENV = {
    "data": "TAILOR_LAKE_DATA",
    "hostname": "TAILOR_LAKE_HOST",
    "port": "TAILOR_LAKE_PORT",
    "db_name": "TAILOR_LAKE_DB",
    "username": "TAILOR_LAKE_USER",
    "password": "TAILOR_LAKE_PASSWORD",
}
"""The shared lake (docs/deployment.md): on when ``TAILOR_LAKE_DATA`` is set; the catalog
server defaults to ``TAILOR_PG_HOST``/``PORT``; user and password are the team's role."""
PG_ENV = {
    "hostname": "TAILOR_PG_HOST",
    "port": "TAILOR_PG_PORT",
    "username": "TAILOR_PG_USER",
    "password": "TAILOR_PG_PASSWORD",
    "db_name": "TAILOR_PG_DB",
}
"""The deployment's PostgreSQL (Dagster's storage), as the rendered ``dagster.yaml`` reads it."""
LAKE_DATABASE = "tailor_lake"
READER_ROLE = "tailor_reader"
"""The role that reads every team's lake and writes none (notebooks, tools)."""

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"


def warehouse_dir() -> Path:
    """The warehouse folder, one DuckDB file per team: ``$TAILOR_WAREHOUSE_DIR``, else
    ``data/warehouse``."""
    return Path(os.environ.get(WAREHOUSE_ENV) or DATA_DIR / "warehouse")


def run_memory() -> str | None:
    """DuckDB's memory limit for a run: ``$TAILOR_RUN_MEMORY``, else None (the default)."""
    return os.environ.get(RUN_MEMORY_ENV, "").strip() or None


def spill_root() -> Path:
    """Where runs spill what does not fit in memory: ``$TAILOR_SPILL_DIR``, else
    ``tailor-spill-<uid>`` (the user's own) in the system's temporary folder (``$TMPDIR``)."""
    default = Path(tempfile.gettempdir()) / f"tailor-spill-{os.getuid()}"
    return Path(os.environ.get(SPILL_DIR_ENV) or default)


def lake_role(team: str) -> str:
    """The PostgreSQL role that owns ``team``'s lake catalog (the schema named like it)."""
    return f"tailor_{team}"


def landing_dir() -> Path:
    """The landing zone folder: ``$TAILOR_LANDING_DIR``, else ``data/landing``."""
    return Path(os.environ.get(LANDING_ENV) or DATA_DIR / "landing")


def ui_url() -> str:
    """The Dagster UI's address: ``$TAILOR_UI_URL``, else where it serves
    (``$TAILOR_UI_HOST``, ``$TAILOR_UI_PORT``; default 127.0.0.1:3000). A UI serving on every
    interface (0.0.0.0) is named by this machine's hostname, which others can reach."""
    explicit = os.environ.get(UI_URL_ENV)
    if explicit:
        return explicit.rstrip("/")
    host = (os.environ.get(UI_HOST_ENV) or "127.0.0.1").strip()
    if host in WILDCARD_HOSTS:
        host = socket.gethostname()
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{os.environ.get(UI_PORT_ENV) or 3000}"


def dagster_home(root: Path, environment: str = "prod") -> Path:
    """The Dagster instance ``make dev`` keeps in the repository ``root`` for an environment
    (the Makefile's ``DAGSTER_HOME``): ``.dagster_home``, and ``.dagster_home/dev`` for
    ``TAILOR_ENV=dev``, so dev materializations never show as production's."""
    home = root / ".dagster_home"
    return home / "dev" if environment == "dev" else home
