"""`make dev`, the README's first command: it prints the URL and the environment, serves
every location, and Ctrl-C stops every process it started. Here in dev mode, as the README
shows: a run launched as the UI launches it is tagged with its environment and sample, and
writes only the person's sandbox."""

import pytest

from platform_lib.settings import LANDING_ENV, REPO_ROOT, WAREHOUSE_ENV

pytestmark = pytest.mark.e2e


def test_make_dev_in_dev_mode_tags_runs_writes_the_sandbox_and_stops_on_ctrl_c(
    dagster_dev_factory, e2e_landing, tmp_path
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
    assert (warehouse / "sandboxes" / "client_insights__dev_grace.duckdb").exists()
    assert not (warehouse / "client_insights.duckdb").exists()
    server.stop()  # SIGINT to the group, as Ctrl-C in a terminal; asserts nothing is left
