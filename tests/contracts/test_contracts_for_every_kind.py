"""Contracts hold for every kind an asset returns: a rule only pandera can check runs on the
written table, inside the write's transaction, reading only the columns it needs. Real
DuckDB, a real lake, real runs."""

import duckdb
import pandas as pd
import pandera.pandas as pa
import polars as pl
import pyarrow
import pytest
from dagster import AssetKey
from pandera.typing import Series

from platform_lib import team_definitions, warehouse_asset
from platform_lib.contracts.asset_contract import frame_for_rules
from platform_lib.contracts.rules import rules_from_contract

SEEN_BY_TABLE_CHECK: list[list[str]] = []


class Orders(pa.DataFrameModel):
    order_id: Series[int] = pa.Field(unique=True)
    code: Series[str]
    amount: Series[float]

    @pa.check("code")
    def is_an_order_code(cls, codes: pd.Series) -> pd.Series:  # no SQL meaning: pandera's
        return codes.str.startswith("O-")


class Balanced(pa.DataFrameModel):
    order_id: Series[int]
    amount: Series[float]
    refund: Series[float]

    @pa.dataframe_check
    def refunds_within_amounts(cls, frame: pd.DataFrame) -> pd.Series:
        SEEN_BY_TABLE_CHECK.append(list(frame.columns))
        return frame["refund"] <= frame["amount"]


GOOD = {"order_id": [1, 2, 3], "code": ["O-1", "O-2", "O-3"], "amount": [1.0, 2.0, 3.0]}
BAD = {"order_id": [1, 2, 3], "code": ["O-1", "X-2", "O-3"], "amount": [1.0, 2.0, 3.0]}
KINDS = {
    "relation": lambda rows: duckdb.from_arrow(pyarrow.table(rows)),
    "polars_lazy": pl.LazyFrame,
    "polars": pl.DataFrame,
    "arrow": pyarrow.table,
}


def orders_asset(name: str, rows: dict, make):
    @warehouse_asset(name=name, contract=Orders)
    def orders():
        """Orders, of one kind."""
        return make(rows)

    return orders


def run(assets):
    job = team_definitions("shop", assets=assets).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(raise_on_error=False)


def checks_of(result) -> dict:
    return {
        (check.asset_key.path[-1], check.check_name): check
        for check in result.get_asset_check_evaluations()
    }


@pytest.mark.parametrize("kind", KINDS)
def test_a_custom_check_passes_and_fails_on_each_kind_returned(warehouse, read_table, kind):
    result = run([orders_asset("good", GOOD, KINDS[kind]), orders_asset("bad", BAD, KINDS[kind])])
    checks = checks_of(result)
    assert checks["good", "code_is_an_order_code"].passed
    failed = checks["bad", "code_is_an_order_code"]
    assert not failed.passed and failed.metadata["failing_rows"].value == 1
    # the failing rows' sample comes from the one column the rule needed
    sample = failed.metadata["failing_rows_sample"].value
    assert "X-2" in sample and "order_id" not in sample and "amount" not in sample
    assert read_table("shop.good")["code"].tolist() == ["O-1", "O-2", "O-3"]
    assert not result.is_node_success("bad")  # blocked before commit: no table
    assert AssetKey(["shop", "bad"]) not in {
        materialization.asset_key for materialization in result.get_asset_materialization_events()
    }


def test_a_dataframe_check_on_a_lazy_result_reads_the_whole_table(warehouse):
    SEEN_BY_TABLE_CHECK.clear()

    @warehouse_asset(contract=Balanced)
    def refunds() -> pl.LazyFrame:
        """One refund larger than its order."""
        return pl.LazyFrame({"order_id": [1, 2], "amount": [5.0, 1.0], "refund": [1.0, 3.0]})

    result = run([refunds])
    table_check = checks_of(result)["refunds", "table_refunds_within_amounts"]
    assert not table_check.passed and table_check.metadata["failing_rows"].value == 1
    assert SEEN_BY_TABLE_CHECK == [["order_id", "amount", "refund"]]


def test_the_frame_for_pandera_holds_only_the_columns_its_rules_need():
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE orders AS SELECT 1 AS order_id, 'O-1' AS code, 1.0 AS amount, 'x' AS note"
    )
    frame = frame_for_rules(connection, "orders", rules_from_contract(Orders))
    assert list(frame.columns) == ["code"]
    assert frame_for_rules(connection, "orders", rules_from_contract(None, {"a": "true"})) is None
    whole = frame_for_rules(connection, "orders", rules_from_contract(Balanced))
    assert list(whole.columns) == ["order_id", "code", "amount", "note"]
