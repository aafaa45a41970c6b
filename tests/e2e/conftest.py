"""The real thing for end-to-end tests: `dagster dev` (webserver, daemon, one code server per
location) on a free loopback port, with its own DAGSTER_HOME, warehouse and landing zone,
driven over the webserver's GraphQL endpoint, and stopped the way Ctrl-C stops it."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from platform_lib.settings import LANDING_ENV, REPO_ROOT, WAREHOUSE_ENV
from tests.e2e.waits import sizes, wait_for

DAGSTER = str(Path(sys.executable).parent / "dagster")
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}
INSTANCE_SETTINGS = REPO_ROOT / "scripts" / "dagster.yaml"  # make dev's dagster.yaml
CHROMIUM = "/usr/bin/chromium"  # Debian's, driven by playwright
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

LOCATIONS = """
{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus
    locationOrLoadError { __typename ... on PythonError {
        message errorChain { error { message } }
    } }
} } } }
"""
ASSETS = """
{ assetNodes {
    assetKey { path } isExecutable
    repository { name location { name } }
    assetChecksOrError { ... on AssetChecks { checks { name } } }
} }
"""
LAUNCH = """
mutation LaunchPipelineExecution($executionParams: ExecutionParams!) {
  launchPipelineExecution(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
  }
}
"""
RUNS = """
{ runsOrError(limit: 50) { ... on Runs { results {
    runId status tags { key value } assetSelection { path }
} } } }
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serving(location: dict) -> bool:
    return location["locationOrLoadError"]["__typename"] == "RepositoryLocation"


class Webserver:
    """A Dagster webserver served by a process in a session of its own (as a terminal gives
    it), and a GraphQL client driving it as the UI does."""

    url: str
    log: Path
    home: Path
    process: subprocess.Popen

    def alive(self) -> bool:
        """Whether the process serving it still runs."""
        return self.process.poll() is None

    def logs(self) -> list[Path]:
        """The logs of its processes, whose tail a failed wait shows."""
        return [self.log]

    def activity(self, run_id: str | None = None) -> object:
        """What changes as it progresses: its logs, run ``run_id``'s events (dagster dev's)."""
        return sizes(*self.logs(), *([self.home / "storage" / f"{run_id}.db"] if run_id else []))

    def wait(self, what: str, look: Callable, done: Callable = bool, **progress) -> object:
        """``wait_for`` on this server: fails at once if it ends, names its logs."""
        progress = {"activity": self.activity, "alive": self.alive} | progress
        return wait_for(f"{what} ({self.url})", look, done, logs=self.logs, **progress)

    def stop(self) -> None:
        """Ctrl-C: SIGINT to the whole process group; then nothing of it may be left."""
        if self.process.poll() is None:  # its own session: the group id is its pid
            os.killpg(self.process.pid, signal.SIGINT)

        def ended(left: list[str]) -> bool:
            return self.process.poll() is not None and not left

        self.wait("every process to end after Ctrl-C", self.leftovers, ended, alive=lambda: True)

    def leftovers(self) -> list[str]:
        """Processes of this server still alive: in its session, or naming its home."""
        by_group = subprocess.run(
            ["pgrep", "-a", "-s", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        by_home = subprocess.run(
            ["pgrep", "-af", str(self.home)], capture_output=True, text=True
        ).stdout
        return sorted(set(by_group.splitlines()) | set(by_home.splitlines()))

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=180) as response:  # a busy machine
            answer = json.load(response)
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def locations(self) -> dict[str, dict]:
        entries = self.graphql(LOCATIONS)["workspaceOrError"]["locationEntries"]
        return {entry["name"]: entry for entry in entries}

    def wait_until_loaded(self, names: set[str], serving: bool = False) -> dict[str, dict]:
        """Wait until the locations ``names`` have loaded (and, if ``serving``, without an
        error: a code server that is still starting answers with one)."""

        def loaded(locations: dict[str, dict]) -> bool:
            return names <= set(locations) and all(
                locations[name]["loadStatus"] == "LOADED"
                and (not serving or _serving(locations[name]))
                for name in names
            )

        return self.wait(f"locations {sorted(names)} loaded", self.locations, loaded)

    def assets_of(self, location: str) -> list[dict]:
        return [
            node
            for node in self.graphql(ASSETS)["assetNodes"]
            if node["isExecutable"] and node["repository"]["location"]["name"] == location
        ]

    def materialize(self, location: str, tags: dict[str, str] | None = None) -> str:
        """Launch what the UI's "Materialize" button launches for a location's assets."""
        return self.launch(self.materialize_params(location), tags)

    def materialize_params(self, location: str) -> dict:
        """The execution parameters of "Materialize all" in a location, as the UI sends them."""
        nodes = self.assets_of(location)
        return {
            "mode": "default",
            "runConfigData": "{}",
            "selector": {
                "repositoryLocationName": location,
                "repositoryName": nodes[0]["repository"]["name"],
                "pipelineName": "__ASSET_JOB",
                "assetSelection": [{"path": node["assetKey"]["path"]} for node in nodes],
                "assetCheckSelection": [
                    {"assetKey": {"path": node["assetKey"]["path"]}, "name": check["name"]}
                    for node in nodes
                    for check in node["assetChecksOrError"]["checks"]
                ],
            },
        }

    def launch(self, params: dict, tags: dict[str, str] | None = None) -> str:
        tags = [{"key": key, "value": value} for key, value in (tags or {}).items()]
        params = {**params, "executionMetadata": {"tags": tags}}
        launched = self.graphql(LAUNCH, {"executionParams": params})["launchPipelineExecution"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        return launched["run"]["runId"]

    def runs(self) -> list[dict]:
        return self.graphql(RUNS)["runsOrError"]["results"]

    def wait_for_run(self, run_id: str) -> str:
        def status() -> str:
            return next(run["status"] for run in self.runs() if run["runId"] == run_id)

        events = partial(self.activity, run_id)
        return self.wait(f"run {run_id} to finish", status, TERMINAL.__contains__, activity=events)


class DagsterDev(Webserver):
    """One `dagster dev` process group, and the client of its webserver."""

    def __init__(
        self, workspace: Path, root: Path, env: dict[str, str], cwd: Path, via_make: bool = False
    ):
        self.home = root / "dagster_home"
        self.home.mkdir(parents=True)
        if not via_make:  # else make dev's own dagster-home target writes it
            shutil.copy(INSTANCE_SETTINGS, self.home / "dagster.yaml")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = root / "dagster_dev.log"
        command = [DAGSTER, "dev", "-w", str(workspace), "-h", "127.0.0.1", "-p", str(self.port)]
        if via_make:  # the README's command, on this port and instance
            command = ["make", "-s", "dev", f"PORT={self.port}", f"DAGSTER_HOME={self.home}"]
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **env, "DAGSTER_HOME": str(self.home)},
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives it
        )


@pytest.fixture
def browser():
    """Debian's Chromium, headless, as a first-time visitor (no stored state)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def e2e_landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("e2e_landing") / "zone"
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "make_landing.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture
def dagster_dev_factory(tmp_path_factory) -> Iterator:
    """Start `dagster dev` for any workspace; every server started is stopped at teardown."""
    started = []

    def start(workspace: Path, env: dict[str, str], cwd: Path, via_make=False) -> DagsterDev:
        root = tmp_path_factory.mktemp("dagster_dev")
        server = DagsterDev(workspace, root, env, cwd, via_make)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def copy_env(repo_copy, tmp_path, e2e_landing) -> dict[str, str]:
    """The environment that serves ``repo_copy``: its packages, not the installed ones, a
    warehouse of its own, and the landing zone."""
    return {
        "PYTHONPATH": str(repo_copy),
        WAREHOUSE_ENV: str(tmp_path / "warehouse"),
        LANDING_ENV: str(e2e_landing),
    }


@pytest.fixture(scope="module")
def team_webhooks(receiver_class) -> Iterator[dict]:
    """A real webhook receiver per team, for the alerts the running daemon sends."""
    receivers = {team: receiver_class() for team in ("merchandising", "client_insights")}
    yield receivers
    for receiver in receivers.values():
        receiver.shutdown()


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory, e2e_landing, team_webhooks) -> Iterator[DagsterDev]:
    """The repository's workspace.yaml served by `dagster dev`, all locations loaded, each
    team's alert webhook pointing at its own receiver."""
    root = tmp_path_factory.mktemp("dagster_dev")
    env = {WAREHOUSE_ENV: str(root / "warehouse"), LANDING_ENV: str(e2e_landing)}
    env |= {f"{team.upper()}_ALERT_WEBHOOK": r.url for team, r in team_webhooks.items()}
    server = DagsterDev(REPO_ROOT / "workspace.yaml", root, env, REPO_ROOT)
    try:
        server.wait_until_loaded({"merchandising", "client_insights", "styling"})
        server.warehouse = root / "warehouse"
        yield server
    finally:
        server.stop()
