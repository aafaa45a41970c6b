"""Team isolation, column-subset reads, cross-location reads and hostile names: quoted and
stored as given, or refused with a clear error, never run as SQL."""

import pandas as pd
import pytest
from dagster import AssetIn, AssetKey, asset, build_input_context, build_output_context

from platform_lib import WarehouseError, WarehouseIOManager
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake

HOSTILE = ['x"; DROP TABLE clients; --', "with space", "ünïcødé", "semi;colon", "it's"]


@asset
def clients() -> pd.DataFrame:
    """Three clients."""
    return pd.DataFrame({"client_id": [1, 2, 3], "region": ["west", "east", "west"]})


def test_a_team_cannot_write_another_teams_table_and_nothing_changes(warehouse, read_table):
    WarehouseIOManager(team="crm").handle_output(
        build_output_context(asset_key=AssetKey(["crm", "clients"])), clients()
    )
    intruder = WarehouseIOManager(team="styling")
    with pytest.raises(WarehouseError, match="Team 'styling' may not write crm/clients"):
        intruder.handle_output(
            build_output_context(asset_key=AssetKey(["crm", "clients"])),
            pd.DataFrame({"client_id": [9]}),
        )
    assert read_table("crm.clients")["client_id"].tolist() == [1, 2, 3]
    assert not (warehouse / "styling.sqlite").exists()


def test_another_teams_asset_is_read_by_key_with_a_column_subset(run_team):
    seen = {}

    @asset(ins={"clients": AssetIn(key=["crm", "clients"], metadata={"columns": ["region"]})})
    def regions(clients: pd.DataFrame) -> pd.DataFrame:
        """Regions of the CRM's clients."""
        seen["columns"] = list(clients.columns)
        return clients.drop_duplicates()

    run_team("crm", [clients])
    run_team("styling", [regions])
    assert seen["columns"] == ["region"]


def test_reading_a_column_the_owner_dropped_names_columns_and_owner(run_team, run_failure):
    @asset(ins={"clients": AssetIn(key=["crm", "clients"], metadata={"columns": ["tier"]})})
    def tiers(clients: pd.DataFrame) -> pd.DataFrame:
        """Client tiers."""
        return clients

    run_team("crm", [clients])
    message = run_failure(run_team("styling", [tiers], raise_on_error=False))
    assert "Reading columns ['tier'] of crm/clients from crm.clients failed" in message
    assert "The owning team ('crm') may have dropped or renamed a column" in message


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_table_and_column_names_are_stored_exactly(warehouse, name):
    manager = WarehouseIOManager()
    key = AssetKey(["crm", name])
    frame = pd.DataFrame({name: [1, 2], "ok": ["a", "b"]})
    manager.handle_output(build_output_context(asset_key=key), frame)
    subset = manager.load_input(
        build_input_context(asset_key=key, definition_metadata={"columns": [name]})
    )
    assert list(subset.columns) == [name]
    with lake_connection(FileLake(warehouse / "crm.sqlite"), read_only=True) as connection:
        tables = connection.sql(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() ORDER BY ALL"
        ).fetchall()
    assert tables == [("main", name)]  # nothing else created or dropped
    pd.testing.assert_frame_equal(
        manager.load_input(build_input_context(asset_key=key)), frame, check_dtype=False
    )


@pytest.mark.parametrize("team", ['crm"; --', "Crm Team", "../etc"])
def test_a_key_whose_team_is_not_an_identifier_is_refused(warehouse, team):
    with pytest.raises(WarehouseError, match="is not a team name"):
        WarehouseIOManager().handle_output(
            build_output_context(asset_key=AssetKey([team, "clients"])), clients()
        )
    assert list(warehouse.glob("*")) == []


def test_a_key_without_exactly_two_parts_is_refused(warehouse):
    with pytest.raises(WarehouseError, match="must have two parts, \\[team, asset\\]"):
        WarehouseIOManager().handle_output(
            build_output_context(asset_key=AssetKey(["clients"])), clients()
        )
