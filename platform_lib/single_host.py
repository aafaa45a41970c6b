"""``tailor deploy up``: the single-host profile in one command.

It renders the deployment into a folder, makes sure PostgreSQL is there (``TAILOR_PG_*``
when set; otherwise a cluster of Tailor's own on loopback, kept in ``TAILOR_PG_FOLDER``),
and runs Supervisor on the rendered ``supervisord.conf``: a code server per team, the
daemon and the webserver. Ctrl-C (or SIGTERM, or closing the terminal) stops the daemon,
cancels the runs in progress, stops the other programs, then the cluster it started.
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
from dagster import DagsterInstance

from platform_lib.deployment import PG_ENV, DeploySettings, render, write
from platform_lib.errors import TailorError
from platform_lib.local_postgres import LocalPostgres
from platform_lib.runs_in_progress import cancel_runs_in_progress
from platform_lib.supervisor_conf import code_server_program
from platform_lib.workspace import CodeLocation

BIN = Path(sys.executable).parent  # dagster, dagster-webserver, supervisord of this install
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


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
    for stop in STOP_SIGNALS:  # also where a shell started it with SIGINT ignored
        signal.signal(stop, _interrupt)
    write(out, render(locations, settings))
    local = None
    try:
        if not os.environ.get(PG_ENV["hostname"]):
            port = int(os.environ.get(PG_ENV["port"]) or LocalPostgres.port)
            say(f"  no TAILOR_PG_HOST: starting Tailor's own PostgreSQL in {postgres_folder}")
            local = LocalPostgres(postgres_folder, port=port)
            local.start()
            os.environ.update(local.env())  # for this process's instance and Supervisor's
        check_reachable(dict(os.environ))
        servers = [code_server_program(location.name) for location in locations]
        return _supervise(out, settings, servers, say)
    except KeyboardInterrupt:
        return 130
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


def _supervise(out: Path, settings: DeploySettings, servers: list[str], say) -> int:
    conf = out / "supervisord.conf"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    supervisor = subprocess.Popen(  # its own session: only this process decides it stops
        [str(BIN / "supervisord"), "-c", str(conf)], env=env, start_new_session=True
    )
    url = f"http://{settings.webserver_host}:{settings.webserver_port}"
    try:
        if _wait_for_webserver(url, supervisor):
            say(
                f"\n  Tailor (single host, PostgreSQL) is serving: open {url}"
                f"\n  processes: {BIN / 'supervisorctl'} -c {conf} status"
                f"\n  logs: {out}/*.log    Ctrl-C stops everything\n"
            )
        else:
            say(f"  the webserver did not answer at {url}; see {out}/webserver.log")
        return supervisor.wait()
    except KeyboardInterrupt:
        for stop in STOP_SIGNALS:  # a second Ctrl-C does not cut the shutdown short
            signal.signal(stop, signal.SIG_IGN)
        _stop(out, conf, servers, supervisor, say)
        return supervisor.wait()


def _stop(out: Path, conf: Path, servers: list[str], supervisor: subprocess.Popen, say) -> None:
    """No new launches, runs in progress canceled, then every program stopped."""
    say("\n  stopping: the daemon first, then runs in progress are canceled")
    _supervisorctl(conf, "stop", "daemon")
    with DagsterInstance.from_config(str(out)) as instance:
        cancel_runs_in_progress(instance, say)
    _end_code_servers(conf, servers)
    supervisor.send_signal(signal.SIGTERM)  # Supervisor stops every program, then exits


def _end_code_servers(conf: Path, servers: list[str], timeout: float = 30) -> None:
    """SIGTERM to every code server, now that none has a run to drain: each exits cleanly
    with the process holding its team's code (Supervisor's SIGKILL would orphan it)."""
    _supervisorctl(conf, "signal", "TERM", *servers)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "RUNNING" not in _supervisorctl(conf, "status", *servers):
            return
        time.sleep(0.5)


def _supervisorctl(conf: Path, *args: str) -> str:
    command = [str(BIN / "supervisorctl"), "-c", str(conf), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout


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
