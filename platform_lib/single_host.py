"""``tailor deploy up``: the single-host profile in one command.

It renders the deployment into a folder, makes sure PostgreSQL is there (``TAILOR_PG_*``
when set; otherwise a cluster of Tailor's own on loopback, kept in ``TAILOR_PG_FOLDER``),
and runs Supervisor on the rendered ``supervisord.conf``: a code server per team, the
daemon and the webserver. Ctrl-C stops them all, then the cluster it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psycopg2

from platform_lib.deployment import PG_ENV, DeploySettings, render, write
from platform_lib.errors import TailorError
from platform_lib.local_postgres import LocalPostgres
from platform_lib.workspace import CodeLocation

BIN = Path(sys.executable).parent  # dagster, dagster-webserver, supervisord of this install
LOCAL_PG_PORT = 5433  # beside, not on, a system PostgreSQL's 5432


class UnreachablePostgres(TailorError):
    """The PostgreSQL the deployment is pointed at does not answer."""


def up(
    locations: list[CodeLocation],
    out: Path,
    settings: DeploySettings,
    postgres_folder: Path,
    say: Callable[[str], None],
) -> int:
    """Run the profile until interrupted; returns Supervisor's exit code."""
    for stop in (signal.SIGINT, signal.SIGTERM):  # `kill` stops it as Ctrl-C does, and
        signal.signal(stop, _interrupt)  # Ctrl-C works even where a shell ignored SIGINT
    write(out, render(locations, settings))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    local = None
    if not env.get(PG_ENV["hostname"]):
        port = int(env.get(PG_ENV["port"]) or LOCAL_PG_PORT)
        say(f"  no TAILOR_PG_HOST: starting Tailor's own PostgreSQL in {postgres_folder}")
        local = LocalPostgres(postgres_folder, port=port).start()
        env.update(local.env())
    try:
        check_reachable(env)
        return _supervise(out, env, settings, say)
    finally:
        if local:
            local.stop()


def check_reachable(env: dict[str, str]) -> None:
    """Connect once with the deployment's settings, or explain which one is wrong."""
    missing = [name for name in PG_ENV.values() if not env.get(name)]
    if missing:
        raise UnreachablePostgres(
            f"the deployment's PostgreSQL settings are incomplete: {', '.join(missing)} unset",
            hint="set every TAILOR_PG_* variable, or unset TAILOR_PG_HOST to use a local one",
        )
    settings = {field: env[name] for field, name in PG_ENV.items()}
    try:
        psycopg2.connect(
            host=settings["hostname"], port=settings["port"], user=settings["username"],
            password=settings["password"], dbname=settings["db_name"], connect_timeout=10,
        ).close()  # fmt: skip
    except psycopg2.OperationalError as error:
        raise UnreachablePostgres(
            f"PostgreSQL at {settings['hostname']}:{settings['port']} (database "
            f"{settings['db_name']!r}, user {settings['username']!r}) refused: "
            f"{str(error).strip()}",
            hint="check TAILOR_PG_HOST, TAILOR_PG_PORT, TAILOR_PG_USER, TAILOR_PG_PASSWORD "
            "and TAILOR_PG_DB",
        ) from error


def _supervise(out: Path, env: dict[str, str], settings: DeploySettings, say) -> int:
    conf = out / "supervisord.conf"
    supervisor = subprocess.Popen([str(BIN / "supervisord"), "-c", str(conf)], env=env)
    url = f"http://{settings.host}:{settings.webserver_port}"
    try:
        if _wait_for_webserver(url, supervisor):
            say(
                f"\n  Tailor (single host, PostgreSQL) is serving: open {url}"
                f"\n  processes: {BIN / 'supervisorctl'} -c {conf} status"
                f"\n  logs: {out}/*.log    Ctrl-C stops everything\n"
            )
        return supervisor.wait()
    except KeyboardInterrupt:
        supervisor.send_signal(signal.SIGTERM)  # Supervisor stops every program, then exits
        return supervisor.wait()


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def _wait_for_webserver(url: str, supervisor: subprocess.Popen, timeout: float = 300) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and supervisor.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=5):
                return True
        except OSError:
            time.sleep(1)
    return False
