"""Several processes on one lake: concurrent writers of one team all commit, to different
tables and to the same one, and no commit is lost; a notebook holding the lake open never
delays a write; a writer kept out past its deadline fails clearly, the table unchanged."""

import os
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance, asset, build_output_context

from platform_lib import WarehouseError, WarehouseIOManager, open_warehouse, team_definitions
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake
from platform_lib.warehouse.records import table_history
from tests.lake_probe import lake_tables, lake_versions

TEAM_MODULE = textwrap.dedent(
    """
    import numpy as np
    import pandas as pd
    from dagster import asset
    from platform_lib import team_definitions

    def make(name):
        @asset(name=name)
        def table() -> pd.DataFrame:
            '''Half a million rows.'''
            return pd.DataFrame({"i": np.arange(500_000), "name": name})
        return table

    defs = team_definitions("crm", assets=[make(f"table_{n}") for n in range(4)])
    """
)


@pytest.mark.parametrize("same_table", [False, True], ids=["four_tables", "one_table"])
def test_concurrent_cli_runs_of_one_team_all_commit(tmp_path, warehouse, read_table, same_table):
    module = tmp_path / "crm_defs.py"
    module.write_text(TEAM_MODULE)
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir()
    # create the instance's storage first: four processes creating a SQLite instance at once
    # race in Dagster's own migrations, which is not what this test is about
    DagsterInstance.from_config(str(tmp_path / "home")).dispose()
    runs = [
        subprocess.Popen(
            [dagster, "asset", "materialize", "-f", str(module), "--select", f"crm/table_{table}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for table in ([0] * 4 if same_table else range(4))
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], outputs
    for n in [0] if same_table else range(4):
        table = read_table(f"crm.table_{n}")
        assert len(table) == 500_000 and set(table["name"]) == {f"table_{n}"}
    with lake_connection(FileLake(warehouse / "crm.sqlite"), read_only=True) as connection:
        written = {record.run_id for record in table_history(connection)}
    assert len(written) == 4  # every run's commit is a version of its own: none lost


def write_clients(manager, ids):
    manager.handle_output(
        build_output_context(asset_key=AssetKey(["crm", "clients"])),
        pd.DataFrame({"client_id": ids}),
    )


def test_a_notebook_holding_the_lake_open_never_delays_a_write(
    warehouse, hold_read_connection, run_team, instance
):
    @asset(name="clients")
    def clients_v2() -> pd.DataFrame:
        """Clients, second version."""
        return pd.DataFrame({"client_id": [4, 5]})

    write_clients(WarehouseIOManager(), [1, 2, 3])
    hold_read_connection(warehouse / "crm.sqlite", 60)  # mid-read, for a minute
    with open_warehouse(warehouse) as notebook:  # and one in this process too
        started = time.monotonic()
        impatient = WarehouseIOManager(lock_wait_seconds=0.5)
        write_clients(impatient, [7])
        definitions = team_definitions("crm", assets=[clients_v2])
        definitions.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance)
        assert time.monotonic() - started < 5  # no waiting on the readers
        # each query of the open notebook reads the latest committed version
        assert notebook.sql("SELECT client_id FROM crm.clients ORDER BY 1").fetchall() == [
            (4,),
            (5,),
        ]


def test_a_writer_kept_out_past_its_deadline_fails_clearly_and_changes_nothing(
    warehouse, read_table, hold_writer_lock
):
    write_clients(WarehouseIOManager(), [1, 2, 3])
    versions = lake_versions(warehouse / "crm.sqlite")
    hold_writer_lock(warehouse / "crm.sqlite", 60)  # a stuck writer holding the lake alone
    impatient = WarehouseIOManager(lock_wait_seconds=0.5)
    with pytest.raises(WarehouseError, match="writer lock of the lake") as error:
        write_clients(impatient, [9])
    assert str(warehouse / "crm.sqlite") in str(error.value) and "Re-run" in str(error.value)
    assert read_table("crm.clients")["client_id"].tolist() == [1, 2, 3]
    assert lake_versions(warehouse / "crm.sqlite") == versions


def test_one_teams_busy_lake_never_blocks_another_teams_writer(warehouse, hold_writer_lock):
    write_clients(WarehouseIOManager(), [1])
    hold_writer_lock(warehouse / "crm.sqlite", 60)
    impatient = WarehouseIOManager(lock_wait_seconds=0.5)
    impatient.handle_output(
        build_output_context(asset_key=AssetKey(["styling", "looks"])),
        pd.DataFrame({"look": ["a"]}),
    )
    assert lake_tables(warehouse / "styling.sqlite") == ["looks"]


def test_open_warehouse_reads_every_team_and_releases_on_exit(warehouse):
    write_clients(WarehouseIOManager(), [1, 2])
    WarehouseIOManager().handle_output(
        build_output_context(asset_key=AssetKey(["styling", "looks"])),
        pd.DataFrame({"look": ["a"]}),
    )
    with open_warehouse(warehouse) as connection:
        joined = connection.sql(
            "SELECT count(*) FROM crm.clients CROSS JOIN styling.looks"
        ).fetchall()
    assert joined == [(2,)]
    write_clients(WarehouseIOManager(lock_wait_seconds=0.5), [3])  # nothing left holding it
