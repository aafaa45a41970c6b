"""Several processes on one warehouse: concurrent writers all succeed, a reader holding a
connection makes writers wait (bounded, then a clear error naming it), and one team's
readers never block another team's writers."""

import logging
import os
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance, asset, build_output_context

from platform_lib import WarehouseError, WarehouseIOManager, open_warehouse, team_definitions

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


def test_concurrent_cli_runs_writing_one_team_database_all_succeed(tmp_path, warehouse, read_table):
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
            [dagster, "asset", "materialize", "-f", str(module), "--select", f"crm/table_{n}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(4)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], outputs
    for n in range(4):
        table = read_table(f"crm.table_{n}")
        assert len(table) == 500_000 and set(table["name"]) == {f"table_{n}"}


def write_clients(manager, ids):
    manager.handle_output(
        build_output_context(asset_key=AssetKey(["crm", "clients"])),
        pd.DataFrame({"client_id": ids}),
    )


def test_a_run_waits_for_a_notebook_reader_saying_who_then_succeeds(
    warehouse, read_table, hold_read_connection, run_team, instance
):
    @asset(name="clients")
    def clients_v2() -> pd.DataFrame:
        """Clients, second version."""
        return pd.DataFrame({"client_id": [4, 5]})

    write_clients(WarehouseIOManager(), [1, 2, 3])
    holder = hold_read_connection(warehouse / "crm.duckdb", 1.5)
    started = time.monotonic()
    result = team_definitions("crm", assets=[clients_v2]).resolve_implicit_global_asset_job_def()
    run = result.execute_in_process(instance=instance)
    assert time.monotonic() - started >= 1.0  # it waited for the reader instead of failing
    assert read_table("crm.clients")["client_id"].tolist() == [4, 5]
    warnings = [
        record.user_message
        for record in instance.all_logs(run.run_id)
        if record.level >= logging.WARNING
    ]
    assert any(f"PID {holder.pid}" in message for message in warnings), warnings


def test_a_lock_held_past_the_deadline_fails_naming_the_holder(
    warehouse, read_table, hold_read_connection
):
    write_clients(WarehouseIOManager(), [1, 2, 3])
    holder = hold_read_connection(warehouse / "crm.duckdb", 60)
    impatient = WarehouseIOManager(lock_wait_seconds=0.5)
    with pytest.raises(WarehouseError, match=rf"PID {holder.pid}") as error:
        write_clients(impatient, [9])
    assert "Close that process's connection (often a notebook)" in str(error.value)
    holder.kill()
    holder.wait()
    assert read_table("crm.clients")["client_id"].tolist() == [1, 2, 3]


def test_a_reader_of_one_team_never_blocks_another_teams_writer(warehouse, hold_read_connection):
    write_clients(WarehouseIOManager(), [1])
    hold_read_connection(warehouse / "crm.duckdb", 60)
    impatient = WarehouseIOManager(lock_wait_seconds=0.5)
    impatient.handle_output(
        build_output_context(asset_key=AssetKey(["styling", "looks"])),
        pd.DataFrame({"look": ["a"]}),
    )
    assert (warehouse / "styling.duckdb").exists()


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
