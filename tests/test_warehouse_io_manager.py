"""WarehouseIOManager against a real DuckDB file and real Dagster runs."""

import subprocess
import sys
import time

import duckdb
import pandas as pd
import pytest
from dagster import AssetIn, asset, materialize

from platform_lib import WarehouseError, WarehouseIOManager, team_definitions
from platform_lib.duckdb_connection import warehouse_connection


@asset
def clients() -> pd.DataFrame:
    """Three clients."""
    return pd.DataFrame({"client_id": [1, 2, 3], "region": ["west", "east", "west"]})


@asset(ins={"clients": AssetIn(metadata={"columns": ["client_id"]})})
def client_ids(clients: pd.DataFrame) -> pd.DataFrame:
    """Only the ids, read as a column subset."""
    return clients


def run_team(team, assets, raise_on_error=True, **selection):
    defs = team_definitions(team, assets=assets)
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(raise_on_error=raise_on_error, **selection)


def test_stores_team_asset_as_schema_table_and_loads_column_subsets(warehouse, read_table):
    run_team("crm", [clients, client_ids])
    assert read_table("crm.clients")["client_id"].tolist() == [1, 2, 3]
    assert list(read_table("crm.client_ids").columns) == ["client_id"]


def test_a_failed_write_leaves_the_previous_table_intact(warehouse, read_table):
    run_team("crm", [clients])

    @asset(name="clients")
    def unstorable() -> pd.DataFrame:
        """A column DuckDB cannot store: bytes mixed with floats."""
        return pd.DataFrame({"client_id": pd.Series([b"x", 1.5], dtype=object)})

    result = run_team("crm", [unstorable], raise_on_error=False)
    assert not result.success
    assert read_table("crm.clients")["client_id"].tolist() == [1, 2, 3]


def test_an_empty_frame_replaces_the_table_with_an_empty_one(warehouse, read_table):
    run_team("crm", [clients])

    @asset(name="clients")
    def no_clients() -> pd.DataFrame:
        """Nobody today."""
        return pd.DataFrame({"client_id": pd.Series([], dtype="int64")})

    run_team("crm", [no_clients])
    table = read_table("crm.clients")
    assert len(table) == 0 and list(table.columns) == ["client_id"]


def test_writing_another_teams_schema_is_refused_and_changes_nothing(warehouse, read_table):
    run_team("crm", [clients])
    manager = WarehouseIOManager(team="styling")
    result = materialize([clients.with_attributes(
        asset_key_replacements={clients.key: clients.key.with_prefix("crm")})],
        resources={"io_manager": manager}, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "Team 'styling' may not write crm/clients" in str(failure.event_specific_data.error)
    assert len(read_table("crm.clients")) == 3


def test_reading_a_table_never_materialized_names_the_asset_and_owner(warehouse):
    run_team("crm", [clients])

    @asset(ins={"orders": AssetIn(key=["sales", "orders"])})
    def totals(orders: pd.DataFrame) -> pd.DataFrame:
        """Totals."""
        return orders

    result = run_team("crm", [totals], raise_on_error=False)
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = str(failure.event_specific_data.error)
    assert "Asset sales/orders has no table sales.orders" in message
    assert "Materialize sales/orders first (it belongs to team 'sales')" in message


def test_returning_something_other_than_a_dataframe_is_a_clear_error(warehouse):
    @asset
    def count() -> int:
        """Not a frame."""
        return 3

    result = run_team("crm", [count], raise_on_error=False)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "Asset crm/count returned int" in str(failure.event_specific_data.error)


HOLD_LOCK = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_read_connection(path, seconds):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_write_waits_for_a_reader_in_another_process_then_succeeds(warehouse, read_table):
    run_team("crm", [clients])
    holder = hold_read_connection(warehouse, 1.5)
    started = time.monotonic()
    run_team("crm", [clients])
    assert time.monotonic() - started >= 1.0  # it waited for the lock rather than failing
    holder.wait()
    assert len(read_table("crm.clients")) == 3


def test_a_lock_held_past_the_deadline_fails_naming_the_holder(warehouse):
    duckdb.connect(str(warehouse)).close()
    holder = hold_read_connection(warehouse, 30)
    try:
        with (
            pytest.raises(WarehouseError, match=rf"PID {holder.pid}") as error,
            warehouse_connection(warehouse, read_only=False, wait_seconds=0.5),
        ):
            pass
        assert "Close that process's connection" in str(error.value)
    finally:
        holder.kill()
        holder.wait()
