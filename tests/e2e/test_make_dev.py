"""`make dev`, the README's first command: it prints the URL and the environment, serves
every location, keeps its console to what a person reads, and Ctrl-C stops every process it
started. Here in dev mode, as the README shows: a run launched as the UI launches it is
tagged with its environment and sample, and writes only the person's sandbox."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from platform_lib.settings import LANDING_ENV, REPO_ROOT, WAREHOUSE_ENV
from tests.e2e.waits import sizes, wait_for

pytestmark = pytest.mark.e2e

RUN_EVENT_LEVELS = """
query RunEvents($runId: ID!) { runOrError(runId: $runId) { ... on Run {
    eventConnection { events { __typename ... on MessageEvent { level } } }
} } }
"""


def test_make_dev_in_dev_mode_tags_runs_writes_the_sandbox_and_stops_on_ctrl_c(
    dagster_dev_factory, e2e_landing, tmp_path, browser
):
    warehouse = tmp_path / "warehouse"
    env = {
        WAREHOUSE_ENV: str(warehouse),
        LANDING_ENV: str(e2e_landing),
        "TAILOR_ENV": "dev",
        "TAILOR_SAMPLE": "0.2",
        "TAILOR_USER": "grace",
    }
    server = dagster_dev_factory(REPO_ROOT / "workspace.yaml", env, REPO_ROOT, via_make=True)
    server.wait_until_loaded({"merchandising", "client_insights", "styling"})
    banner = server.log.read_text()
    assert f"open {server.url}" in banner and "environment: dev, sample 0.2" in banner
    run_id = server.materialize("client_insights")
    assert server.wait_for_run(run_id) == "SUCCESS"
    (run,) = [run for run in server.runs() if run["runId"] == run_id]
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    assert {"tailor/env": "dev", "tailor/sample": "0.2", "tailor/user": "grace"}.items() <= (
        tags.items()
    )
    assert (warehouse / "sandboxes" / "client_insights__dev_grace.sqlite").exists()
    assert not (warehouse / "client_insights.sqlite").exists()

    # the console: the run's INFO lines, none of its DEBUG events, no daemon chatter, no
    # deprecation of `dagster dev` itself; the UI's run log still holds every event
    console = server.log.read_text()
    assert "Read client_insights/raw_orders from" in console
    assert " - DEBUG - " not in console
    assert "dagster.daemon" not in console and "superseded" not in console
    events = server.graphql(RUN_EVENT_LEVELS, {"runId": run_id})["runOrError"]
    levels = [event.get("level") for event in events["eventConnection"]["events"]]
    assert levels.count("DEBUG") > 50  # STEP_START, HANDLED_OUTPUT, checks, ... all kept

    # a first visit of the UI opens on the page, not on Dagster's community dialog
    page = browser.new_page()
    page.goto(f"{server.url}/asset-groups", wait_until="networkidle")
    page.get_by_text("client_insights").first.wait_for(timeout=30_000)
    page.wait_for_timeout(3000)  # the dialog, when enabled, opens a moment after the page
    assert page.get_by_text("Join the Dagster community").count() == 0

    server.stop()  # SIGINT to the group, as Ctrl-C in a terminal; asserts nothing is left


@pytest.mark.parametrize("deployment", ["embedded", "postgres"])
def test_a_second_make_dev_on_a_port_in_use_refuses_before_starting_anything(
    tmp_path, deployment, refused_make_dev
):
    with socket.socket() as first:  # the port another make dev serves
        first.bind(("127.0.0.1", 0))
        first.listen()
        port = first.getsockname()[1]
        started = time.monotonic()
        make, out, err = refused_make_dev(
            f"PORT={port}", f"TAILOR_DEPLOYMENT={deployment}",
            f"DAGSTER_HOME={tmp_path / 'home'}", f"DEPLOY_DIR={tmp_path / 'deploy'}",
        )  # fmt: skip
    assert make.returncode != 0 and time.monotonic() - started < 30, out + err
    assert (
        f"port {port} on 127.0.0.1 is in use: another make dev? stop it, "
        f"or make dev PORT={port + 300}"
    ) in err
    assert "Tailor is starting" not in out and "dagster" not in out + err
    left = subprocess.run(["pgrep", "-a", "-s", str(make.pid)], capture_output=True, text=True)
    assert left.stdout == ""  # no webserver, no daemon
    assert not (tmp_path / "home" / "storage").exists()  # the instance untouched
    assert not (tmp_path / "deploy").exists()  # nor the single-host profile's


WRITES = {
    "dev": "environment: dev, sample 0.01: runs write your sandbox, <team>__dev_grace, in "
    "{warehouse}/sandboxes (production is only read)",
    "prod": "environment: prod (make dev TAILOR_ENV=dev [TAILOR_SAMPLE=0.2] writes to your "
    "sandbox instead)",
}


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_make_dev_says_where_runs_write_and_a_second_one_on_its_instance_is_refused(
    dagster_dev_factory, e2e_landing, tmp_path, closed_port, environment
):
    env = {
        WAREHOUSE_ENV: str(tmp_path / "warehouse"),
        LANDING_ENV: str(e2e_landing),
        "TAILOR_ENV": environment,
        "TAILOR_USER": "grace",
    } | ({"TAILOR_SAMPLE": "0.01"} if environment == "dev" else {})
    server = dagster_dev_factory(REPO_ROOT / "workspace.yaml", env, REPO_ROOT, via_make=True)
    server.wait("make dev's banner", server.log.read_text, lambda text: "instance" in text)
    # a second make dev on another port, same instance: refused, the first keeps serving
    second = subprocess.run(
        ["make", "-s", "dev", f"PORT={closed_port()}", f"DAGSTER_HOME={server.home}"],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode != 0 and second.stdout == "", second.stdout
    assert f"the instance {server.home} is served by another make dev" in second.stderr
    assert server.process.poll() is None
    server.stop()  # the banner and the lock are all this test needs
    banner = server.log.read_text()
    (writes,) = [line.strip() for line in banner.splitlines() if "environment:" in line]
    assert writes == WRITES[environment].format(warehouse=tmp_path / "warehouse")
    assert f"instance (runs, schedules, sensors): {server.home}" in banner


def test_make_dagster_home_brings_an_older_dagster_yaml_up_to_date(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    old = home / "dagster.yaml"
    old.write_text("telemetry:\n  enabled: false\n")  # what make dagster-home used to write
    os.utime(old, (0, 0))  # written before scripts/dagster.yaml last changed

    def make_dagster_home() -> str:
        made = subprocess.run(
            ["make", "-s", "dagster-home", f"DAGSTER_HOME={home}"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert made.returncode == 0, made.stderr
        return made.stdout

    assert "updated from scripts/dagster.yaml" in make_dagster_home()
    assert old.read_text() == (REPO_ROOT / "scripts" / "dagster.yaml").read_text()
    assert (home / "dagster.yaml.old").read_text() == "telemetry:\n  enabled: false\n"
    assert make_dagster_home() == ""  # up to date: left alone


def test_make_notebook_serves_jupyterlab_on_this_environment_with_the_starter_notebook(
    closed_port, tmp_path
):
    port, token = closed_port(), "tailor-test"
    log = tmp_path / "notebook.log"
    flags = f"--no-browser --IdentityProvider.token={token} --ServerApp.root_dir={REPO_ROOT}"
    lab = subprocess.Popen(
        ["make", "-s", "notebook", f"NOTEBOOK_PORT={port}", f"NOTEBOOK_FLAGS={flags}"],
        cwd=REPO_ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def get(path: str) -> dict:
            url = f"http://127.0.0.1:{port}{path}?token={token}"
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.load(response)

        specs = wait_for(
            f"JupyterLab on port {port}", lambda: get("/api/kernelspecs"),
            logs=lambda: [log], activity=lambda: sizes(log), alive=lambda: lab.poll() is None,
        )  # fmt: skip
        assert specs["default"] == "python3"
        kernel = specs["kernelspecs"]["python3"]["spec"]
        assert kernel["language"] == "python"
        assert get("/api/contents/notebooks/start_here.ipynb")["type"] == "notebook"
        assert "notebooks/start_here.ipynb" in log.read_text()  # the notebook it opens
        # no "get notified about official Jupyter news?" pop-up on the first start
        notification = get("/lab/api/settings/@jupyterlab/apputils-extension:notification")
        defaults = {
            name: field["default"] for name, field in notification["schema"]["properties"].items()
        }
        assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False
    finally:
        if lab.poll() is None:  # its own session: the group id is its pid
            os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=60)
