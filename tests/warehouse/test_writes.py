"""Whole-table writes: atomic, schema-free replacement, empty frames, clear errors, metadata.
A real lake on disk, real Dagster runs."""

import subprocess
import sys
import textwrap

import pandas as pd
from dagster import AssetIn, AssetKey, DagsterInstance, asset

from platform_lib import WarehouseIOManager
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake
from platform_lib.warehouse.records import table_history
from tests.lake_probe import lake_tables, lake_versions


@asset
def clients() -> pd.DataFrame:
    """Three clients."""
    return pd.DataFrame({"client_id": [1, 2, 3], "region": ["west", "east", "west"]})


def asset_named(name: str, frame: pd.DataFrame):
    @asset(name=name)
    def produce() -> pd.DataFrame:
        """A frame given by the test."""
        return frame

    return produce


def test_an_asset_is_a_table_in_its_teams_own_lake(run_team, warehouse, read_table):
    run_team("crm", [clients])
    assert (warehouse / "crm.sqlite").exists()
    assert lake_tables(warehouse / "crm.sqlite") == ["clients"]
    assert read_table("crm.clients")["client_id"].tolist() == [1, 2, 3]


def test_a_failed_write_leaves_the_previous_table_intact(
    run_team, run_failure, read_table, warehouse
):
    run_team("crm", [clients])
    history = lake_versions(warehouse / "crm.sqlite")
    unstorable = pd.DataFrame({"client_id": pd.Series([b"x", 1.5], dtype=object)})
    result = run_team("crm", [asset_named("clients", unstorable)], raise_on_error=False)
    assert "Failed to cast value" in run_failure(result)
    assert read_table("crm.clients")["client_id"].tolist() == [1, 2, 3]
    assert lake_tables(warehouse / "crm.sqlite") == ["clients"]  # nothing temporary left
    assert lake_versions(warehouse / "crm.sqlite") == history  # and no snapshot made


KILLED_MID_WRITE = textwrap.dedent(
    """
    import logging, os, signal, sys
    import numpy as np, pandas as pd
    from dagster import AssetKey
    from platform_lib import WarehouseIOManager
    from platform_lib.warehouse.write_request import WriteRequest

    def killed(connection, table):
        # the new rows and their catalog record are in the transaction: die before COMMIT
        os.kill(os.getpid(), signal.SIGKILL)

    frame = pd.DataFrame({"client_id": np.arange(2_000_000)})
    request = WriteRequest(AssetKey(["crm", "clients"]), frame, "killed-run", before_commit=killed)
    WarehouseIOManager(directory=sys.argv[1]).store(request, logging.getLogger("test"))
    """
)


def test_a_process_killed_mid_write_leaves_the_previous_table_intact(
    run_team, warehouse, read_table
):
    run = run_team("crm", [clients])
    killed = subprocess.run([sys.executable, "-c", KILLED_MID_WRITE, str(warehouse)])
    assert killed.returncode == -9
    assert read_table("crm.clients")["client_id"].tolist() == [1, 2, 3]
    assert lake_tables(warehouse / "crm.sqlite") == ["clients"]
    with lake_connection(FileLake(warehouse / "crm.sqlite"), read_only=True) as connection:
        assert [record.run_id for record in table_history(connection, "clients")] == [run.run_id]


def test_a_new_frame_replaces_columns_and_types_of_an_unpartitioned_table(run_team, read_table):
    run_team("crm", [clients])
    reshaped = pd.DataFrame({"client_id": ["a", "b"], "tier": ["gold", "silver"]})
    run_team("crm", [asset_named("clients", reshaped)])
    table = read_table("crm.clients")
    assert list(table.columns) == ["client_id", "tier"]
    assert table["client_id"].tolist() == ["a", "b"]


def test_an_empty_frame_writes_an_empty_table_with_its_columns(run_team, read_table):
    run_team("crm", [clients])
    empty = pd.DataFrame(
        {"client_id": pd.Series([], dtype="int64"), "region": pd.Series([], dtype="str")}
    )
    run_team("crm", [asset_named("clients", empty)])
    table = read_table("crm.clients")
    assert len(table) == 0
    assert list(table.columns) == ["client_id", "region"]


def test_returning_something_other_than_a_dataframe_is_a_clear_error(run_team, run_failure):
    @asset
    def count() -> int:
        """Not a frame."""
        return 3

    message = run_failure(run_team("crm", [count], raise_on_error=False))
    assert "Asset crm/count returned int; the warehouse stores pandas DataFrames" in message


def test_reading_a_table_never_materialized_names_the_asset_and_its_team(run_team, run_failure):
    @asset(ins={"orders": AssetIn(key=["sales", "orders"])})
    def totals(orders: pd.DataFrame) -> pd.DataFrame:
        """Totals."""
        return orders

    message = run_failure(run_team("crm", [totals], raise_on_error=False))
    assert "Asset sales/orders has no table sales.orders" in message
    assert "Materialize sales/orders first (it belongs to team 'sales')" in message


def test_every_materialization_records_rows_schema_table_preview_and_size(warehouse):
    from platform_lib import team_definitions

    defs = team_definitions("crm", assets=[clients])
    with DagsterInstance.ephemeral() as instance:
        defs.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance)
        event = instance.get_latest_materialization_event(AssetKey(["crm", "clients"]))
    metadata = event.asset_materialization.metadata
    assert metadata["dagster/row_count"].value == 3
    assert metadata["dagster/table_name"].value == "crm.main.clients"
    schema = metadata["dagster/column_schema"].schema
    assert [(c.name, c.type) for c in schema.columns] == [
        ("client_id", "BIGINT"),
        ("region", "VARCHAR"),
    ]
    assert metadata["preview"].value.splitlines()[0].split() == [
        "|",
        "client_id",
        "|",
        "region",
        "|",
    ]
    with lake_connection(FileLake(warehouse / "crm.sqlite"), read_only=True) as connection:
        (version,) = [record.version for record in table_history(connection, "clients")]
    assert metadata["tailor/version"].value == version
    assert metadata["table_bytes"].value == 0  # three rows live inline in the catalog


def test_the_io_manager_reads_its_folder_when_a_run_starts_not_at_import(tmp_path, monkeypatch):
    manager = WarehouseIOManager()
    monkeypatch.setenv("TAILOR_WAREHOUSE_DIR", str(tmp_path / "later"))
    from dagster import materialize

    materialize(
        [
            clients.with_attributes(
                asset_key_replacements={clients.key: AssetKey(["crm", "clients"])}
            )
        ],
        resources={"io_manager": manager},
    )
    assert (tmp_path / "later" / "crm.sqlite").exists()
