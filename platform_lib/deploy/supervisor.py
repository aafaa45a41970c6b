"""The single-host profile's processes, as a ``supervisord.conf`` for Supervisor.

One program per team's code server (``dagster code-server start``), the Dagster daemon and
the webserver; each is restarted by Supervisor if it dies, on its own. Paths are relative
to the file (``%(here)s``), whose folder is also ``DAGSTER_HOME``: the rendered
``dagster.yaml`` sits beside it. Every program is told where the webserver serves
(``TAILOR_UI_HOST``, ``TAILOR_UI_PORT``), so the alerts its sensors send link to it. A team's
code server is given the shared lake as its team's role (``lake_environment``); the runs it
launches inherit its environment.

    supervisord -c deploy/supervisord.conf                  # or: tailor deploy up
    supervisorctl -c deploy/supervisord.conf status
    supervisorctl -c deploy/supervisord.conf restart code-server-merchandising

A code server is stopped with SIGKILL, to its own process only. It keeps no state (runs
are processes of their own and finish; everything else is in PostgreSQL), and a server
that stops gracefully first drains: while it drains it refuses new runs, and Dagster's
queue fails a run refused that way, where it waits for a server that does not answer.
Only ``tailor deploy up``, stopping everything once no run is in progress, ends them with
SIGTERM, so that the gRPC process holding a team's code exits with them.
"""

import configparser
import io
import subprocess
import sys
from pathlib import Path

from platform_lib.deploy.lake_roles import password_variable, team_role
from platform_lib.deploy.settings import LAKE_ENV, PG_ENV, DeploySettings
from platform_lib.settings import DATA_DIR, UI_HOST_ENV, UI_PORT_ENV
from platform_lib.workspace.locations import CodeLocation

BIN = Path(sys.executable).parent  # dagster, dagster-webserver, supervisord of this install
HERE = "%(here)s"
CODE_SERVER_PRIORITY = 100  # started first; the webserver and daemon follow


def code_server_program(team: str) -> str:
    """The Supervisor program of ``team``'s code server."""
    return f"code-server-{team}"


def supervisord_conf(
    locations: list[CodeLocation], ports: dict[str, int], settings: DeploySettings
) -> str:
    """The ``supervisord.conf`` of the single-host profile."""
    conf = configparser.ConfigParser(interpolation=None)
    conf["supervisord"] = {
        "nodaemon": "true",
        "logfile": f"{HERE}/supervisord.log",
        "pidfile": f"{HERE}/supervisord.pid",
    }
    conf["unix_http_server"] = {"file": f"{HERE}/supervisor.sock", "chmod": "0700"}
    conf["rpcinterface:supervisor"] = {
        "supervisor.rpcinterface_factory": "supervisor.rpcinterface:make_main_rpcinterface"
    }
    conf["supervisorctl"] = {"serverurl": f"unix://{HERE}/supervisor.sock"}
    environment = {
        "DAGSTER_HOME": HERE,
        UI_HOST_ENV: settings.webserver_host,
        UI_PORT_ENV: str(settings.webserver_port),
        # Supervisor passes its own environment on: no program sees a team's lake password
        **{password_variable(location.name): "" for location in locations},
    }
    for location in locations:
        conf[f"program:{code_server_program(location.name)}"] = _program(
            _code_server_command(location, ports[location.name], settings.code_server_host),
            CODE_SERVER_PRIORITY,
            {**environment, **lake_environment(location.name, settings)},
            stopsignal="KILL",
            autorestart="unexpected",  # a crash restarts it; a clean exit (SIGTERM) does not
        )
    workspace = f"{HERE}/workspace.yaml"
    conf["program:daemon"] = _program(f"dagster-daemon run -w {workspace}", 200, environment)
    conf["program:webserver"] = _program(
        f"dagster-webserver -w {workspace} -h {settings.webserver_host} "
        f"-p {settings.webserver_port}",
        200,
        environment,
    )
    text = io.StringIO("; Rendered by `tailor deploy render` from workspace.yaml; do not edit.\n")
    text.seek(0, io.SEEK_END)
    conf.write(text)
    return text.getvalue().rstrip() + "\n"


def lake_environment(team: str, settings: DeploySettings) -> dict[str, str]:
    """The shared lake as ``team``'s code server (and so its runs) reaches it: the catalog on
    the deployment's PostgreSQL as the team's role, its password expanded by Supervisor
    from its own environment (``TAILOR_LAKE_PASSWORD_<TEAM>``), never written here."""
    return {
        LAKE_ENV["data"]: _literal(lake_data(settings)),
        LAKE_ENV["hostname"]: _expanded(PG_ENV["hostname"]),
        LAKE_ENV["port"]: _expanded(PG_ENV["port"]),
        LAKE_ENV["db_name"]: _literal(settings.lake_database),
        LAKE_ENV["username"]: _literal(team_role(team)),
        LAKE_ENV["password"]: _expanded(password_variable(team)),
    }


def lake_data(settings: DeploySettings) -> str:
    """Where the lake's data files live: ``--lake-data`` (an object-store URL as given, a
    folder made absolute), by default the repository's ``data/lake``."""
    if "://" in settings.lake_data:
        return settings.lake_data
    return str(Path(settings.lake_data or DATA_DIR / "lake").resolve())


def _expanded(variable: str) -> str:
    return f"%(ENV_{variable})s"


def _literal(value: str) -> str:
    return value.replace("%", "%%")  # Supervisor expands %(...)s in the environment


def _code_server_command(location: CodeLocation, port: int, host: str) -> str:
    return (
        f"dagster code-server start -h {host} -p {port} -m {location.module} "
        f"-a {location.attribute} --location-name {location.name}"
    )


def _program(
    command: str,
    priority: int,
    environment: dict[str, str],
    stopsignal: str = "TERM",
    autorestart: str = "true",
) -> dict[str, str]:
    return {
        "command": command,
        "environment": ",".join(f'{name}="{value}"' for name, value in environment.items()),
        "priority": str(priority),
        "autorestart": autorestart,
        "exitcodes": "0",
        "startsecs": "5",
        "startretries": "10",
        "stopsignal": stopsignal,
        "stopwaitsecs": "30",
        "redirect_stderr": "true",
        "stdout_logfile": f"{HERE}/%(program_name)s.log",
        "stdout_logfile_maxbytes": "50MB",
        "stdout_logfile_backups": "3",
    }


def supervisorctl(conf: Path, *args: str) -> str:
    """Run ``supervisorctl -c conf ARGS`` and return what it printed."""
    command = [str(BIN / "supervisorctl"), "-c", str(conf), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout
