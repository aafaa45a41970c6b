"""One team's broken code must not take the others down: each location is its own process."""

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def broken_styling_copy(repo_copy):
    """A copy of the code with a syntax error in one of styling's modules."""
    with (repo_copy / "teams" / "styling" / "recommendations.py").open("a") as module:
        module.write("\ndef half_written(:\n")
    return repo_copy


def test_a_location_that_fails_to_import_leaves_the_others_working(
    broken_styling_copy, copy_env, dagster_dev_factory
):
    server = dagster_dev_factory(
        broken_styling_copy / "workspace.yaml", copy_env, broken_styling_copy
    )
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
