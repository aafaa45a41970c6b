"""Schema changes are never silent: values DuckDB could store only as their text are refused,
every change of a table's columns is recorded on its materialization, and a change that
breaks another team's declared read is refused unless marked as intended. Real lakes on
disk, real Dagster runs; the two teams are two separate Definitions, as two locations are."""

import datetime
import decimal
import logging
import uuid

import numpy as np
import pandas as pd
import pytest
from dagster import AssetIn, AssetKey, DagsterInstance, StaticPartitionsDefinition, asset

from platform_lib import WarehouseError, WarehouseIOManager, team_definitions, warehouse_asset
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake
from platform_lib.warehouse.records import table_history
from platform_lib.warehouse.write_request import WriteRequest


class Basket:
    """A class of the asset's own, with no SQL type."""


def asset_named(name: str, frame: pd.DataFrame, **kwargs):
    @asset(name=name, **kwargs)
    def produce() -> pd.DataFrame:
        """A frame given by the test."""
        return frame

    return produce


def versions(warehouse, team: str, table: str) -> list[int]:
    with lake_connection(FileLake(warehouse / f"{team}.sqlite"), read_only=True) as connection:
        return [record.version for record in table_history(connection, table)]


def materialize(team: str, assets, instance: DagsterInstance, raise_on_error=True):
    job = team_definitions(team, assets=assets).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance, raise_on_error=raise_on_error)


def latest_metadata(instance: DagsterInstance, team: str, name: str) -> dict:
    event = instance.get_latest_materialization_event(AssetKey([team, name]))
    return event.asset_materialization.metadata


PRICES = pd.DataFrame({"sku": ["a", "b"], "price": [1.5, 2.5]})


@pytest.mark.parametrize(
    ("values", "types"),
    [
        ([object(), 2.5], "float, object"),
        ([Basket(), None], "test_schema_changes.Basket"),
        (["cheap", 3], "int"),
        ([{1, 2}, {3}], "set"),
        ([{"eur": object()}, {"eur": object()}], "dict"),  # a struct field held as text
        ([datetime.date(2026, 1, 1), "soon"], "datetime.date"),
        ([np.float64(1.5), "x"], "numpy.float64"),
    ],
)
def test_values_duckdb_could_store_only_as_text_are_refused_and_the_table_kept(
    warehouse, run_team, run_failure, read_table, values, types
):
    run_team("shop", [asset_named("prices", PRICES)])
    before = versions(warehouse, "shop", "prices")
    broken = pd.DataFrame({"sku": ["a", "b"], "price": pd.Series(values, dtype=object)})
    result = run_team("shop", [asset_named("prices", broken)], raise_on_error=False)
    message = run_failure(result)
    assert "Asset shop/prices: column 'price' holds " in message and types in message
    assert "only as their text" in message and "shop.prices was not changed" in message
    assert read_table("shop.prices")["price"].tolist() == [1.5, 2.5]
    assert versions(warehouse, "shop", "prices") == before  # no snapshot


def test_python_values_duckdb_types_for_real_are_stored(warehouse, run_team, read_table):
    frame = pd.DataFrame(
        {
            "attributes": pd.Series([{"size": 1}, {"size": 2}], dtype=object),
            "tags": pd.Series([["a", "b"], ["c"]], dtype=object),
            "price": pd.Series([decimal.Decimal("1.50"), decimal.Decimal("2.25")], dtype=object),
            "blob": pd.Series([b"x", b"y"], dtype=object),
            "day": pd.Series([datetime.date(2026, 1, 1), None], dtype=object),
            "id": pd.Series([uuid.uuid4(), uuid.uuid4()], dtype=object),
            "name": pd.Series(["a", None], dtype=object),
        }
    )
    run_team("shop", [asset_named("items", frame)])
    stored = read_table("shop.items")
    assert stored["attributes"].tolist() == [{"size": 1}, {"size": 2}]
    assert stored["name"].tolist()[0] == "a"


def test_a_text_only_value_is_found_wherever_it_is_in_a_large_column(warehouse):
    """Exact, not sampled: one bad value in the last of a million rows is refused."""
    names = pd.Series([f"sku{i}" for i in range(1_000_000)], dtype=object)
    manager, log = WarehouseIOManager(directory=str(warehouse)), logging.getLogger("test")

    def store(last):
        frame = pd.DataFrame({"sku": pd.concat([names, pd.Series([last], dtype=object)])})
        return manager.store(WriteRequest(AssetKey(["shop", "skus"]), frame, "run"), log)

    with pytest.raises(WarehouseError, match="column 'sku' holds int"):
        store(7)
    assert store("sku-last")["dagster/row_count"] == 1_000_001


def test_every_schema_change_is_recorded_on_the_materialization(warehouse, instance):
    materialize("shop", [asset_named("prices", PRICES)], instance)
    first = latest_metadata(instance, "shop", "prices")
    assert first["tailor/schema_change"].value == "New table: `sku` VARCHAR, `price` DOUBLE"
    assert first["tailor/schema_change_json"].value["new_table"] is True

    materialize("shop", [asset_named("prices", PRICES)], instance)
    assert "tailor/schema_change" not in latest_metadata(instance, "shop", "prices")

    changed = pd.DataFrame({"sku": [1, 2], "currency": ["eur", "usd"]})
    materialize("shop", [asset_named("prices", changed)], instance)
    metadata = latest_metadata(instance, "shop", "prices")
    assert metadata["tailor/schema_change"].value.splitlines() == [
        "- added `currency` VARCHAR",
        "- dropped `price` (was DOUBLE)",
        "- retyped `sku`: VARCHAR -> BIGINT",
    ]
    assert metadata["tailor/schema_change_json"].value == {
        "new_table": False,
        "added": {"currency": "VARCHAR"},
        "dropped": {"price": "DOUBLE"},
        "retyped": {"sku": ["VARCHAR", "BIGINT"]},
    }


def test_a_contract_checked_asset_records_its_schema_change_too(warehouse, instance):
    def priced(frame):
        @warehouse_asset(name="prices")
        def prices() -> pd.DataFrame:
            """Prices."""
            return frame

        return prices

    materialize("shop", [priced(PRICES)], instance)
    materialize("shop", [priced(PRICES.assign(stock=[1, 2]))], instance)
    assert latest_metadata(instance, "shop", "prices")["tailor/schema_change"].value == (
        "- added `stock` BIGINT"
    )


# --- a change another team's asset would break ----------------------------------------------


def orders_asset(frame: pd.DataFrame, intended: list[str] | None = None):
    metadata = {"tailor/breaking_change_intended": intended} if intended else {}

    @warehouse_asset(name="orders", metadata=metadata)
    def orders() -> pd.DataFrame:
        """The shop's orders."""
        return frame

    return orders


@asset(ins={"orders": AssetIn(key=["shop", "orders"], metadata={"columns": ["amount", "day"]})})
def revenue(orders: pd.DataFrame) -> pd.DataFrame:
    """Revenue per day, from the shop's orders."""
    return orders.groupby("day", as_index=False)["amount"].sum()


ORDERS = pd.DataFrame({"order_id": [1, 2], "day": ["mon", "tue"], "amount": [10.0, 20.0]})


@pytest.fixture
def two_teams(warehouse, instance):
    """The shop's orders, and finance's revenue reading two of their columns."""
    materialize("shop", [orders_asset(ORDERS)], instance)
    materialize("finance", [revenue], instance)
    return instance


@pytest.mark.parametrize(
    "changed",
    [ORDERS.drop(columns=["amount"]), ORDERS.assign(amount=["10", "20"])],
    ids=["dropped", "retyped"],
)
def test_breaking_a_column_another_team_reads_is_refused_naming_the_consumer(
    two_teams, warehouse, read_table, run_failure, changed
):
    before = versions(warehouse, "shop", "orders")
    result = materialize("shop", [orders_asset(changed)], two_teams, raise_on_error=False)
    message = run_failure(result)
    assert "Asset shop/orders drops or retypes columns other teams read" in message
    assert "finance/revenue reads 'amount'" in message
    assert "\"tailor/breaking_change_intended\": ['amount']" in message
    assert read_table("shop.orders")["amount"].tolist() == [10.0, 20.0]
    assert versions(warehouse, "shop", "orders") == before


def test_a_change_marked_as_intended_or_that_no_team_reads_is_written(
    two_teams, warehouse, read_table
):
    unread = ORDERS.drop(columns=["order_id"])
    materialize("shop", [orders_asset(unread)], two_teams)
    assert list(read_table("shop.orders").columns) == ["day", "amount"]

    materialize("shop", [orders_asset(unread.drop(columns=["amount"]), ["amount"])], two_teams)
    assert list(read_table("shop.orders").columns) == ["day"]


def test_a_consumer_that_stops_reading_a_column_frees_it_at_its_next_write(
    two_teams, warehouse, read_table
):
    @asset(
        name="revenue",
        ins={"orders": AssetIn(key=["shop", "orders"], metadata={"columns": ["day"]})},
    )
    def days(orders: pd.DataFrame) -> pd.DataFrame:
        """Days with orders."""
        return orders[["day"]].drop_duplicates()

    materialize("finance", [days], two_teams)
    materialize("shop", [orders_asset(ORDERS.drop(columns=["amount"]))], two_teams)
    assert "amount" not in read_table("shop.orders").columns


def test_a_malformed_intent_marker_is_a_clear_error(warehouse, instance, run_failure):
    result = materialize("shop", [orders_asset(ORDERS, "amount")], instance, raise_on_error=False)
    assert "must be a list of column names" in run_failure(result)


def test_a_partition_that_adds_a_column_records_it(warehouse, instance):
    regions = StaticPartitionsDefinition(["east", "west"])

    def run(frame: pd.DataFrame, region: str) -> None:
        sales = asset_named(
            "sales", frame, partitions_def=regions, metadata={"partition_expr": "region"}
        )
        job = team_definitions("shop", assets=[sales]).resolve_implicit_global_asset_job_def()
        job.execute_in_process(instance=instance, partition_key=region)

    run(pd.DataFrame({"region": ["east"], "units": [1]}), "east")
    run(pd.DataFrame({"region": ["west"], "units": [2], "returns": [0.5]}), "west")
    metadata = latest_metadata(instance, "shop", "sales")
    assert metadata["tailor/schema_change"].value == "- added `returns` DOUBLE"


def test_a_dev_run_meets_the_same_refusal_in_its_sandbox(two_teams, monkeypatch, run_failure):
    monkeypatch.setenv("TAILOR_ENV", "dev")
    monkeypatch.setenv("TAILOR_USER", "ada")
    materialize("shop", [orders_asset(ORDERS)], two_teams)  # the sandbox's first version
    changed = orders_asset(ORDERS.drop(columns=["amount"]))
    result = materialize("shop", [changed], two_teams, raise_on_error=False)
    assert "finance/revenue reads 'amount'" in run_failure(result)
