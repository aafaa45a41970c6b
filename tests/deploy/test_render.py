"""`tailor deploy render`: deterministic files, a dagster.yaml Dagster itself accepts, a gRPC
workspace with a code server per team, Supervisor's processes (Helm values: test_helm.py)."""

import os
import signal
import socket
import subprocess

import yaml
from dagster._core.instance.config import dagster_instance_config
from supervisor.datatypes import RestartWhenExitUnexpected
from supervisor.options import ServerOptions

from platform_lib.alerts.delivery import ui_link
from platform_lib.settings import REPO_ROOT
from tests.deploy.rendering import LAKE, TAILOR, TEAMS, render


def test_render_is_deterministic(rendered, tmp_path):
    assert set(rendered) == {
        "workspace.yaml", "dagster.yaml", "supervisord.conf", "helm/values.yaml", "lake/roles.sql"
    }  # fmt: skip
    assert render(tmp_path, "--runs-per-team", "3", *LAKE) == rendered


def test_dagster_yaml_is_accepted_by_dagster_with_a_limit_per_team(rendered, tmp_path, monkeypatch):
    for name in ("HOST", "PORT", "USER", "PASSWORD", "DB"):
        monkeypatch.setenv(f"TAILOR_PG_{name}", "5432" if name == "PORT" else "tailor")
    (tmp_path / "dagster.yaml").write_text(rendered["dagster.yaml"])
    config, _ = dagster_instance_config(str(tmp_path))  # Dagster's own schema validation
    assert config["storage"]["postgres"]["postgres_db"]["hostname"] == {"env": "TAILOR_PG_HOST"}
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    runs = config["concurrency"]["runs"]
    assert runs["max_concurrent_runs"] == 10
    limits = runs["tag_concurrency_limits"]
    assert limits == [{"key": "dagster/code_location", "value": t, "limit": 3} for t in TEAMS]
    assert config["run_retries"]["enabled"]
    # no pool limit: a team's runs write its lake at once (tests/team/test_same_team_runs.py)
    assert set(config["concurrency"]) == {"runs"}
    # a queued run of a team whose code server is down waits for it instead of failing
    assert config["run_coordinator"]["config"]["max_user_code_failure_retries"] > 0
    # dagster-postgres's own driver: psycopg 3 (SQLAlchemy 2.1's default) breaks its NOTIFY
    assert config["storage"]["postgres"]["postgres_db"]["scheme"] == "postgresql+psycopg2"


def test_supervisor_reads_the_single_host_processes(rendered, tmp_path, supervisor_env):
    (tmp_path / "supervisord.conf").write_text(rendered["supervisord.conf"])
    options = ServerOptions()  # Supervisor's own parser, as `supervisord -c` uses it
    options.realize(args=["-c", str(tmp_path / "supervisord.conf")])
    programs = {group.name: group.process_configs[0] for group in options.process_group_configs}
    assert set(programs) == {*(f"code-server-{t}" for t in TEAMS), "daemon", "webserver"}
    ports = yaml.safe_load(rendered["workspace.yaml"])["load_from"]
    for team, entry in zip(TEAMS, ports, strict=True):
        config = programs[f"code-server-{team}"]
        assert config.command.startswith("dagster code-server start")
        assert f"-p {entry['grpc_server']['port']} -m teams.{team}.definitions" in config.command
        assert config.environment["DAGSTER_HOME"] == str(tmp_path)  # where dagster.yaml is
        assert not config.killasgroup  # runs outlive a server restart
        # a crash restarts it; the clean exit `tailor deploy up` asks for on stop does not
        assert config.autorestart is RestartWhenExitUnexpected and config.exitcodes == [0]
        assert config.stopsignal == signal.SIGKILL  # no draining, in which runs are refused
    assert programs["webserver"].command.endswith("-h 127.0.0.1 -p 3000")


def test_alerts_from_the_single_host_profile_link_to_its_webserver(
    tmp_path, monkeypatch, supervisor_env
):
    render(tmp_path, "--webserver-host", "0.0.0.0", "--webserver-port", "3300", *LAKE)
    options = ServerOptions()
    options.realize(args=["-c", str(tmp_path / "supervisord.conf")])
    for group in options.process_group_configs:  # code servers evaluate the sensors
        environment = group.process_configs[0].environment
        assert (environment["TAILOR_UI_HOST"], environment["TAILOR_UI_PORT"]) == ("0.0.0.0", "3300")
    monkeypatch.delenv("TAILOR_UI_URL", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    # serving on every interface, the UI is named by a name others reach: the machine's
    assert ui_link("/runs/abc") == f"http://{socket.gethostname()}:3300/runs/abc"


def test_the_workspace_serves_each_team_from_its_own_code_server(rendered):
    servers = [
        entry["grpc_server"] for entry in yaml.safe_load(rendered["workspace.yaml"])["load_from"]
    ]
    assert [server["location_name"] for server in servers] == TEAMS
    assert len({server["port"] for server in servers}) == len(TEAMS)


def test_up_names_the_postgresql_it_cannot_reach_and_starts_nothing(tmp_path, closed_port):
    port = closed_port()
    env = {**os.environ, "TAILOR_PG_HOST": "127.0.0.1", "TAILOR_PG_PORT": str(port)}
    env |= {"TAILOR_PG_USER": "tailor", "TAILOR_PG_PASSWORD": "x", "TAILOR_PG_DB": "tailor"}
    result = subprocess.run(
        [TAILOR, "deploy", "up", "--out", str(tmp_path / "deploy")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert f"PostgreSQL at 127.0.0.1:{port} (database 'tailor', user 'tailor')" in (result.stderr)
    assert "hint: check TAILOR_PG_HOST" in result.stderr
    conf = str(tmp_path / "deploy" / "supervisord.conf")
    assert subprocess.run(["pgrep", "-f", conf], capture_output=True).stdout == b""  # none
    assert (tmp_path / "deploy" / "supervisord.conf").exists()  # rendered before the check


def test_render_refuses_a_workspace_it_cannot_read(tmp_path):
    (tmp_path / "workspace.yaml").write_text("load_from:\n  - python_file: x.py\n")
    result = subprocess.run(
        [TAILOR, "--root", str(tmp_path), "deploy", "render", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "every load_from entry must be a python_module" in result.stderr
