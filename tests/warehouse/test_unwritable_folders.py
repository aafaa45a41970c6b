"""A data path this user may not write, for the embedded profile's warehouse folder and for
the shared lake's data folder: the run fails with an error naming the folder, the user and
what to do, and nothing is written. As root file permissions stop nothing, so the writer is
a second process run as user ``nobody``."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from dagster import asset

from platform_lib.settings import LAKE_ENV, WAREHOUSE_ENV, lake_role
from platform_lib.warehouse.versions import asset_table, versions_of

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="runs a writer as another user")

WRITE = """
import pandas as pd
from dagster import asset
from platform_lib import team_definitions

@asset
def clients() -> pd.DataFrame:
    '''Other clients.'''
    return pd.DataFrame({"client_id": range(2000)})

job = team_definitions("crm", assets=[clients]).resolve_implicit_global_asset_job_def()
result = job.execute_in_process(raise_on_error=False)
print([str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure][0])
"""


@asset
def clients() -> pd.DataFrame:
    """A thousand clients: written to a Parquet file, not inlined in the catalog."""
    return pd.DataFrame({"client_id": range(1000)})


@pytest.fixture
def shared_folder():
    """A folder root owns that every user may enter (the test's tmp folder is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="tailor-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def write_as_nobody(env: dict[str, str]) -> str:
    """The failure a write of crm/clients by user nobody ends with."""
    return subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable,
         "-c", WRITE],
        capture_output=True, text=True, cwd=Path(__file__).parents[2], check=True,
        env={**os.environ, **env},
    ).stdout  # fmt: skip


def test_a_warehouse_folder_the_user_may_not_write_is_named(shared_folder):
    warehouse = shared_folder / "warehouse"
    warehouse.mkdir(mode=0o755)
    printed = write_as_nobody({WAREHOUSE_ENV: str(warehouse)})
    assert f"may not create it in the folder {warehouse}" in printed
    assert f"ls -ld {warehouse}" in printed and f"set {WAREHOUSE_ENV} to a folder" in printed
    assert list(warehouse.iterdir()) == []


def test_a_shared_lake_data_folder_the_user_may_not_write_is_named(
    shared_lake, run_team, shared_folder, warehouse
):
    data = shared_folder / "lake"
    shared_lake.become(lake_role("crm"), **{LAKE_ENV["data"]: str(data)})
    run_team("crm", [clients])
    location = asset_table("crm/clients", warehouse)
    history, files = versions_of(location, "crm/clients"), sorted(data.rglob("*"))

    nobodys = shared_folder / "nobodys-warehouse"  # where its sandboxes would be
    nobodys.mkdir(mode=0o777)
    env = shared_lake.become(lake_role("crm"), **{LAKE_ENV["data"]: str(data)})
    printed = write_as_nobody({**env, WAREHOUSE_ENV: str(nobodys)})
    folder = data / "crm" / "main" / "clients"
    assert "Lake 'crm' (schema crm of PostgreSQL" in printed
    assert f"user nobody may not write the folder {folder}" in printed
    assert "Nothing was written" in printed and f"set {LAKE_ENV['data']} to a folder" in printed
    assert versions_of(location, "crm/clients") == history
    assert sorted(data.rglob("*")) == files
