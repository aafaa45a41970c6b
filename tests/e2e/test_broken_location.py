"""One team's broken code must not take the others down: each location is its own process."""

import shutil

import pytest

from platform_lib.settings import LANDING_ENV, REPO_ROOT, WAREHOUSE_ENV

pytestmark = pytest.mark.e2e


@pytest.fixture
def broken_styling_copy(tmp_path):
    """A copy of the code with a syntax error in one of styling's modules."""
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "tests")
    for folder in ("platform_lib", "teams"):
        shutil.copytree(REPO_ROOT / folder, copy / folder, ignore=ignore)
    shutil.copy(REPO_ROOT / "workspace.yaml", copy / "workspace.yaml")
    with (copy / "teams" / "styling" / "recommendations.py").open("a") as module:
        module.write("\ndef half_written(:\n")
    return copy


def test_a_location_that_fails_to_import_leaves_the_others_working(
    broken_styling_copy, tmp_path, e2e_landing, dagster_dev_factory
):
    env = {
        "PYTHONPATH": str(broken_styling_copy),  # the copy's packages, not the installed ones
        WAREHOUSE_ENV: str(tmp_path / "warehouse"),
        LANDING_ENV: str(e2e_landing),
    }
    server = dagster_dev_factory(broken_styling_copy / "workspace.yaml", env, broken_styling_copy)
    locations = server.wait_until_loaded({"merchandising", "client_insights", "styling"})
    assert locations["merchandising"]["locationOrLoadError"]["__typename"] == "RepositoryLocation"
    assert locations["client_insights"]["locationOrLoadError"]["__typename"] == "RepositoryLocation"
    error = locations["styling"]["locationOrLoadError"]
    assert error["__typename"] == "PythonError"
    chain = " ".join(
        [error["message"], *(link["error"]["message"] for link in error["errorChain"])]
    )
    assert "SyntaxError" in chain and "recommendations.py" in chain
    for team in ("merchandising", "client_insights"):
        assert server.wait_for_run(server.materialize(team)) == "SUCCESS", team
