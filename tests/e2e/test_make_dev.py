"""`make dev`, the README's first command: it prints the URL, serves every location, and
Ctrl-C stops every process it started."""

import pytest

from platform_lib.settings import LANDING_ENV, REPO_ROOT, WAREHOUSE_ENV

pytestmark = pytest.mark.e2e


def test_make_dev_prints_the_url_serves_and_stops_cleanly_on_ctrl_c(
    dagster_dev_factory, e2e_landing, tmp_path
):
    env = {WAREHOUSE_ENV: str(tmp_path / "warehouse"), LANDING_ENV: str(e2e_landing)}
    server = dagster_dev_factory(REPO_ROOT / "workspace.yaml", env, REPO_ROOT, via_make=True)
    server.wait_until_loaded({"merchandising", "client_insights", "styling"})
    assert f"open {server.url}" in server.log.read_text()
    server.stop()  # SIGINT to the group, as Ctrl-C in a terminal; asserts nothing is left
