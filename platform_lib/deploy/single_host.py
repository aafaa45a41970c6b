"""``tailor deploy up``: the single-host profile in one command.

It renders the deployment into a folder, makes sure PostgreSQL is there (``TAILOR_PG_*``
when set; otherwise a cluster of Tailor's own on loopback, kept in ``TAILOR_PG_FOLDER``),
makes the shared lake's database, roles and passwords ready on it (``lake_setup.py``),
and runs Supervisor on the rendered ``supervisord.conf``: a code server per team, the
daemon and the webserver. Ctrl-C (or SIGTERM, or closing the terminal) stops the daemon,
cancels the runs in progress, stops the other programs, then the cluster it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from dagster import DagsterInstance

from platform_lib.deploy.lake_setup import prepare_lake
from platform_lib.deploy.postgres import LocalPostgres, check_reachable
from platform_lib.deploy.render import ROLES_FILE, render, write
from platform_lib.deploy.runs_in_progress import cancel_runs_in_progress
from platform_lib.deploy.settings import PG_ENV, DeploySettings
from platform_lib.deploy.supervisor import BIN, code_server_program, supervisorctl
from platform_lib.workspace.locations import CodeLocation

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


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
    files = render(locations, settings)
    write(out, files)
    local = None
    try:
        if not os.environ.get(PG_ENV["hostname"]):
            port = int(os.environ.get(PG_ENV["port"]) or LocalPostgres.port)
            say(f"  no TAILOR_PG_HOST: starting Tailor's own PostgreSQL in {postgres_folder}")
            local = LocalPostgres(postgres_folder, port=port)
            local.start()
            os.environ.update(local.env())  # for this process's instance and Supervisor's
        check_reachable(dict(os.environ))
        teams = [location.name for location in locations]
        passwords = prepare_lake(
            dict(os.environ), settings.lake_database, teams, files[ROLES_FILE],
            postgres_folder if local else None,
        )  # fmt: skip
        os.environ.update(passwords)  # Supervisor's own environment, expanded per team
        servers = [code_server_program(location.name) for location in locations]
        return _supervise(out, settings, servers, say)
    except KeyboardInterrupt:
        return 130
    finally:
        if local:
            local.stop()


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
    supervisorctl(conf, "stop", "daemon")
    with DagsterInstance.from_config(str(out)) as instance:
        cancel_runs_in_progress(instance, say)
    _end_code_servers(conf, servers)
    supervisor.send_signal(signal.SIGTERM)  # Supervisor stops every program, then exits


def _end_code_servers(conf: Path, servers: list[str], timeout: float = 30) -> None:
    """SIGTERM to every code server, now that none has a run to drain: each exits cleanly
    with the process holding its team's code (Supervisor's SIGKILL would orphan it)."""
    supervisorctl(conf, "signal", "TERM", *servers)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "RUNNING" not in supervisorctl(conf, "status", *servers):
            return
        time.sleep(0.5)


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
