"""The lake shared through PostgreSQL (TAILOR_LAKE_DATA set): each team's catalog is its
schema, owned by its role; Tailor's IO manager writes and reads it as it does the embedded
lake, and PostgreSQL refuses what a role may not do. A real throwaway PostgreSQL, a real
data folder, real Dagster runs."""

import subprocess
import sys
from contextlib import closing

import pandas as pd
import pytest
from dagster import AssetIn, asset

from platform_lib import open_warehouse
from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.errors import WarehouseError
from platform_lib.settings import READER_ROLE, lake_role
from platform_lib.warehouse.layout import lake_of, team_lakes
from platform_lib.warehouse.restore import restore_table
from platform_lib.warehouse.versions import asset_table, versions_of


@asset
def clients() -> pd.DataFrame:
    """Three clients."""
    return pd.DataFrame({"client_id": [1, 2, 3], "region": ["west", "east", "west"]})


@asset(name="clients")
def one_client() -> pd.DataFrame:
    """One client: a later version of crm/clients."""
    return pd.DataFrame({"client_id": [9], "region": ["north"]})


@asset(ins={"clients": AssetIn(key=["crm", "clients"])})
def regions(clients: pd.DataFrame) -> pd.DataFrame:
    """Clients per region, from crm's table."""
    return clients.groupby("region", as_index=False).size()


def catalog_rows(shared_lake, team: str, table: str) -> int:
    with closing(shared_lake.server.admin()) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {team}.{table}")
        return cursor.fetchone()[0]


def read(shared_lake, query: str) -> pd.DataFrame:
    shared_lake.become(READER_ROLE)
    with open_warehouse(environment=RunEnvironment()) as connection:
        return connection.sql(query).df()


def test_a_team_writes_its_lake_in_postgresql_and_another_team_reads_it(
    shared_lake, run_team, warehouse
):
    assert run_team("crm", [clients]).success
    assert catalog_rows(shared_lake, "crm", "ducklake_snapshot") >= 2  # created, then written
    assert list((shared_lake.data / "crm").rglob("*.parquet")) or catalog_rows(
        shared_lake, "crm", "ducklake_inlined_data_tables"
    )
    assert not warehouse.exists() or not list(warehouse.glob("*.sqlite"))  # nothing local

    shared_lake.become(lake_role("shop"))
    assert run_team("shop", [regions]).success
    frame = read(shared_lake, "SELECT * FROM shop.regions ORDER BY region")
    assert frame.to_dict("list") == {"region": ["east", "west"], "size": [1, 2]}
    assert {"crm", "shop"} <= set(team_lakes(warehouse))  # the session's server has others


def test_a_role_writing_another_teams_lake_is_refused_by_postgresql(
    shared_lake, run_team, run_failure
):
    assert run_team("crm", [clients]).success
    shared_lake.become(lake_role("shop"))
    failed = run_team("crm", [clients], raise_on_error=False)  # crm's asset, shop's role
    message = run_failure(failed)
    assert "Role tailor_shop may not write team crm's lake" in message
    assert "only its team's role tailor_crm may" in message
    assert len(read(shared_lake, "SELECT * FROM crm.clients")) == 3  # unchanged


def test_a_role_missing_its_grant_is_told_which_grant(shared_lake, run_team, run_failure):
    assert run_team("crm", [clients]).success
    with closing(shared_lake.server.admin()) as connection, connection.cursor() as cursor:
        cursor.execute("REVOKE USAGE ON SCHEMA crm FROM tailor_shop")
    shared_lake.become(lake_role("shop"))
    message = run_failure(run_team("shop", [regions], raise_on_error=False))
    assert "Role tailor_shop lacks a grant on team crm's lake" in message
    assert 'GRANT USAGE ON SCHEMA "crm" TO tailor_shop' in message
    assert "lake/roles.sql" in message


@pytest.mark.parametrize(
    "change, says",
    [
        ({"TAILOR_LAKE_PASSWORD": "wrong"}, "set TAILOR_LAKE_PASSWORD to role tailor_crm's"),
        ({"TAILOR_LAKE_PORT": "1"}, "check that it runs"),
    ],
    ids=["wrong_password", "server_down"],
)
def test_a_catalog_server_that_refuses_is_named_with_its_role_and_nothing_is_written(
    shared_lake, run_team, run_failure, change, says
):
    shared_lake.become(lake_role("crm"), **change)
    message = run_failure(run_team("crm", [clients], raise_on_error=False))
    assert "The lake's catalog server, PostgreSQL 127.0.0.1:" in message
    assert "role tailor_crm" in message and says in message
    assert "Nothing was read or written" in message
    assert not shared_lake.data.exists() or not list(shared_lake.data.rglob("*.parquet"))


def test_versions_and_restore_on_the_shared_lake(shared_lake, run_team, warehouse):
    run_team("crm", [clients])
    run_team("crm", [one_client])
    location = asset_table("crm/clients", warehouse)
    latest, first = (v.version for v in versions_of(location, "crm/clients"))
    restored = restore_table(location, "crm/clients", str(first), "a-run")
    assert restored.version > latest
    assert read(shared_lake, "SELECT client_id FROM crm.clients")["client_id"].tolist() == [1, 2, 3]


PIN = """
import sys, time
from pathlib import Path
from platform_lib.warehouse.layout import lake_of
with lake_of("crm", Path(".")).pin(int(sys.argv[1])):
    print("pinned", flush=True)
    time.sleep(120)
"""


def test_a_pin_held_by_another_process_is_seen_and_ends_with_it(shared_lake, run_team):
    run_team("crm", [clients])
    lake = lake_of("crm", shared_lake.data)
    holder = subprocess.Popen([sys.executable, "-c", PIN, "7"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "pinned"
        assert lake.pinned_versions() == {7}
    finally:
        holder.kill()
        holder.wait()
    assert lake.pinned_versions() == set()


def test_a_lake_whose_schema_was_never_made_says_to_apply_the_roles_sql(shared_lake):
    with pytest.raises(WarehouseError, match=r"no schema 'ghost'.*lake/roles.sql"):
        from platform_lib.warehouse.connection import lake_connection

        with lake_connection(lake_of("ghost", shared_lake.data), read_only=False):
            pass
