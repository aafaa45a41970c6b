"""Each team's code server is given the shared lake as its own role: the rendered
supervisord.conf names the role and holds no password, and a real Supervisor expands the
team's password (and no other team's) from its own environment into the process."""

import configparser
import ctypes
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from platform_lib.deploy.render import render
from platform_lib.deploy.settings import DeploySettings
from platform_lib.deploy.supervisor import BIN, code_server_program
from platform_lib.settings import DATA_DIR
from platform_lib.workspace.locations import read_workspace
from tests.deploy.conftest import supervisor_environment

TEAMS = sorted(location.name for location in read_workspace())
PASSWORDS = {team: f"p%,w {team}" for team in TEAMS}  # Supervisor's own syntax inside
PR_SET_PDEATHSIG = 1
PRINT_ENVIRONMENT = (
    "import json, os, sys; open(sys.argv[1], 'w').write(json.dumps(dict(os.environ)))"
)


def die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


@pytest.fixture(scope="module")
def conf() -> str:
    return render(read_workspace(), DeploySettings(lake_database="the_lake"))["supervisord.conf"]


def test_the_conf_names_each_teams_role_and_holds_no_password(conf):
    for password in PASSWORDS.values():
        assert password not in conf
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read_string(conf)
    for team in TEAMS:
        environment = parsed[f"program:{code_server_program(team)}"]["environment"]
        assert f'TAILOR_LAKE_USER="tailor_{team}"' in environment
        assert f'TAILOR_LAKE_PASSWORD="%(ENV_TAILOR_LAKE_PASSWORD_{team.upper()})s"' in environment


def test_supervisor_gives_each_code_server_its_own_lake_password_only(conf, tmp_path):
    """The rendered conf with each code server's command replaced by one that writes its
    environment to a file, run by a real supervisord."""
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read_string(conf)
    for program in ("program:daemon", "program:webserver"):
        parsed.remove_section(program)
    for team in TEAMS:
        program = parsed[f"program:{code_server_program(team)}"]
        out = tmp_path / f"{team}.json"
        program["command"] = f'{sys.executable} -c "{PRINT_ENVIRONMENT}" {out}'
        program["autorestart"], program["startsecs"] = "false", "0"
    with (tmp_path / "supervisord.conf").open("w") as file:
        parsed.write(file)
    supervisor = subprocess.Popen(
        [str(BIN / "supervisord"), "-c", str(tmp_path / "supervisord.conf")],
        env={"PATH": "/usr/bin:/bin", **supervisor_environment(PASSWORDS)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )
    try:
        environments = wait_for_environments(tmp_path, supervisor)
    finally:
        supervisor.terminate()
        supervisor.wait(timeout=60)
    for team, environment in environments.items():
        assert environment["TAILOR_LAKE_USER"] == f"tailor_{team}"
        assert environment["TAILOR_LAKE_PASSWORD"] == PASSWORDS[team]
        others = {PASSWORDS[other] for other in TEAMS if other != team}
        assert not others & set(environment.values())  # inherited from Supervisor, hidden
        assert environment["TAILOR_LAKE_HOST"] == "127.0.0.9"
        assert environment["TAILOR_LAKE_PORT"] == "6543"
        assert environment["TAILOR_LAKE_DB"] == "the_lake"
        assert environment["TAILOR_LAKE_DATA"] == str(DATA_DIR / "lake")  # made absolute


def wait_for_environments(folder: Path, supervisor: subprocess.Popen) -> dict[str, dict]:
    """Each team's printed environment, as soon as every program has written it."""
    files = {team: folder / f"{team}.json" for team in TEAMS}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and supervisor.poll() is None:
        try:
            return {team: json.loads(file.read_text()) for team, file in files.items()}
        except (FileNotFoundError, json.JSONDecodeError):
            time.sleep(0.1)
    log = (folder / "supervisord.log").read_text() if (folder / "supervisord.log").exists() else ""
    raise AssertionError(f"Supervisor's programs wrote no environment; its log:\n{log}")
