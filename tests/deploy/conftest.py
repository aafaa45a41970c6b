from types import SimpleNamespace

import pytest
import yaml

from tests.conftest import unused_port
from tests.deploy import image_server
from tests.deploy.rendering import LAKE, render


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, str]:
    """One render for every test that only reads it: limits of 3 per team, the shared lake."""
    return render(tmp_path_factory.mktemp("deploy"), "--runs-per-team", "3", *LAKE)


@pytest.fixture(scope="session")
def styling_server(rendered, tmp_path_factory):
    """The image's command serving styling, started as the chart starts styling's deployment
    (with its container context); its working folder and client."""
    deployment = next(
        d for d in yaml.safe_load(rendered["helm/values.yaml"])["dagster-user-deployments"][
            "deployments"] if d["name"] == "styling"
    )  # fmt: skip
    port, folder = unused_port(), tmp_path_factory.mktemp("styling")
    server = image_server.start(
        folder / "scratch", port, TAILOR_CODE_MODULE="teams.styling.definitions",
        **image_server.chart_code_server_environment(deployment),
    )  # fmt: skip
    try:
        client = image_server.wait_until_serving(server, port, folder / "output.log")
        yield SimpleNamespace(client=client, scratch=folder / "scratch")
    finally:
        image_server.stop(server)
