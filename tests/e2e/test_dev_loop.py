"""The loop of a person with `make dev` running, on a copy of the repository: an edited team
shows its new asset after Reload definitions; a new team does not appear on Reload all (a
running `dagster dev` reads workspace.yaml once), and does on the restart `tailor new-team`
asks for."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

TAILOR = str(Path(sys.executable).parent / "tailor")
TEAMS = {"merchandising", "client_insights", "styling"}
RELOAD_LOCATION = """
mutation Reload($name: String!) { reloadRepositoryLocation(repositoryLocationName: $name) {
    __typename ... on WorkspaceLocationEntry { name loadStatus } ... on PythonError { message }
} }
"""
RELOAD_ALL = """
mutation { reloadWorkspace {
    __typename ... on Workspace { locationEntries { name } } ... on PythonError { message }
} }
"""


def test_reload_shows_an_edit_and_a_new_team_needs_a_restart(
    repo_copy, copy_env, dagster_dev_factory
):
    env = copy_env

    def tailor(*args: str) -> str:
        done = subprocess.run(
            [TAILOR, *args],
            cwd=repo_copy,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    server = dagster_dev_factory(repo_copy / "workspace.yaml", env, repo_copy)
    server.wait_until_loaded(TEAMS, serving=True)

    # edit a team (a new asset in its definitions), then Reload definitions of its location
    tailor("new-asset", "styling", "shortlist", "--reads", "merchandising/inventory")
    reloaded = server.graphql(RELOAD_LOCATION, {"name": "styling"})["reloadRepositoryLocation"]
    assert reloaded["__typename"] == "WorkspaceLocationEntry", reloaded
    server.wait_until_loaded(TEAMS, serving=True)
    assert ["styling", "shortlist"] in [
        node["assetKey"]["path"] for node in server.assets_of("styling")
    ]

    # a new team: Reload all keeps the locations the running process started with
    assert "Stop it\n" in tailor("new-team", "pricing")
    reloaded = server.graphql(RELOAD_ALL)["reloadWorkspace"]
    assert {entry["name"] for entry in reloaded["locationEntries"]} == TEAMS
    server.wait_until_loaded(TEAMS, serving=True)
    assert "pricing" not in server.locations()

    # what new-team says to do: stop make dev (Ctrl-C) and start it again
    server.stop()
    restarted = dagster_dev_factory(repo_copy / "workspace.yaml", env, repo_copy)
    restarted.wait_until_loaded(TEAMS | {"pricing"}, serving=True)
    assert [node["assetKey"]["path"] for node in restarted.assets_of("pricing")] == [
        ["pricing", "example"]
    ]
