import pytest

from tests.deploy.rendering import LAKE, render


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, str]:
    """One render for every test that only reads it: limits of 3 per team, the shared lake."""
    return render(tmp_path_factory.mktemp("deploy"), "--runs-per-team", "3", *LAKE)
