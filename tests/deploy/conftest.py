"""A throwaway PostgreSQL cluster on loopback, shared by the deploy tests that need a real
server (the lake's roles and grants, and the single-host profile's lake setup), and the
environment ``tailor deploy up`` gives Supervisor."""

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import psycopg2
import pytest
import yaml

from platform_lib.deploy.postgres import LocalPostgres
from platform_lib.workspace.locations import read_workspace
from tests.conftest import unused_port
from tests.deploy import image_server
from tests.deploy.rendering import LAKE, render
from tests.e2e.conftest import free_port

# Stops the cluster and removes its folder once its stdin closes: when the session ends, or
# when pytest is killed (the server runs detached from pytest: no death signal reaches it).
WATCHDOG = """
import shutil, sys
from pathlib import Path
from platform_lib.deploy.postgres import LocalPostgres
sys.stdin.read()
LocalPostgres(Path(sys.argv[1]), port=int(sys.argv[2])).stop()
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


def supervisor_environment(passwords: dict[str, str]) -> dict[str, str]:
    """What ``tailor deploy up`` gives Supervisor for the lake: the deployment's server and
    each team's password (by team), which the code servers' ``%(ENV_...)s`` expand."""
    variables = {f"TAILOR_LAKE_PASSWORD_{team.upper()}": value for team, value in passwords.items()}
    return {"TAILOR_PG_HOST": "127.0.0.9", "TAILOR_PG_PORT": "6543", **variables}


@pytest.fixture
def supervisor_env(monkeypatch) -> None:
    """This process's environment as ``tailor deploy up`` makes Supervisor's, for parsing
    a rendered supervisord.conf with Supervisor's own options."""
    teams = [location.name for location in read_workspace()]
    for name, value in supervisor_environment(dict.fromkeys(teams, "x")).items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def lake_server() -> Iterator[LocalPostgres]:
    """A cluster of Tailor's own (superuser ``tailor``) in a temporary folder, on a free
    loopback port."""
    folder = Path(tempfile.mkdtemp(prefix="tailor-lake-pg-"))
    cluster = LocalPostgres(folder, port=free_port())
    watchdog = subprocess.Popen(
        [sys.executable, "-c", WATCHDOG, str(folder), str(cluster.port)],
        stdin=subprocess.PIPE,
        start_new_session=True,  # outlives pytest, to stop the server after it
    )
    try:
        yield cluster.start()
    finally:
        watchdog.stdin.close()  # it stops the cluster and removes the folder
        watchdog.wait(timeout=60)


@pytest.fixture(scope="session")
def admin_env(lake_server) -> dict[str, str]:
    """``TAILOR_PG_*`` for the cluster's superuser, as the deployment reads them."""
    return lake_server.env()


def connect(env: dict[str, str], database: str, user: str = "", password: str = ""):
    """An autocommit connection to ``database`` of ``env``'s server, as ``user`` (default:
    the admin)."""
    connection = psycopg2.connect(
        host=env["TAILOR_PG_HOST"],
        port=env["TAILOR_PG_PORT"],
        dbname=database,
        user=user or env["TAILOR_PG_USER"],
        password=password or env["TAILOR_PG_PASSWORD"],
    )
    connection.autocommit = True
    return connection


def run_sql(env: dict[str, str], database: str, statement: str, *parameters) -> list[tuple]:
    """Run one statement as the admin and return its rows (none for a command)."""
    connection = connect(env, database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, parameters or None)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def login_role(env: dict[str, str], role: str, password: str) -> None:
    """Create ``role`` (LOGIN, ``password``) outside any rendered SQL, unless it exists."""
    exists = run_sql(env, env["TAILOR_PG_DB"], "SELECT 1 FROM pg_roles WHERE rolname = %s", role)
    verb = "ALTER" if exists else "CREATE"
    run_sql(env, env["TAILOR_PG_DB"], f'{verb} ROLE "{role}" LOGIN PASSWORD %s', password)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, str]:
    """One render for every test that only reads it: limits of 3 per team, the shared lake."""
    return render(tmp_path_factory.mktemp("deploy"), "--runs-per-team", "3", *LAKE)


@pytest.fixture(scope="session")
def styling_server(rendered, tmp_path_factory):
    """The image's command serving styling, started as the chart starts styling's deployment
    (with its container context); its working folder and client."""
    deployment = next(
        d for d in yaml.safe_load(rendered["helm/values.yaml"])["dagster-user-deployments"][
            "deployments"] if d["name"] == "styling"
    )  # fmt: skip
    port, folder = unused_port(), tmp_path_factory.mktemp("styling")
    server = image_server.start(
        folder / "scratch", port, TAILOR_CODE_MODULE="teams.styling.definitions",
        **image_server.chart_code_server_environment(deployment),
    )  # fmt: skip
    try:
        client = image_server.wait_until_serving(server, port, folder / "output.log")
        yield SimpleNamespace(client=client, scratch=folder / "scratch")
    finally:
        image_server.stop(server)
