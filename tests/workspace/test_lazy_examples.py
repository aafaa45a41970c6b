"""The live examples that moved to the lazy kinds (merchandising's inventory and forecast in
SQL, client insights' profiles in polars) give the same frames as their pandas versions
(bench/pandas_versions.py, the benchmarks' baseline) on the generated landing zone."""

import importlib.util
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

from platform_lib import LandingZone
from teams.client_insights.profiles import build_profiles
from teams.merchandising.forecast import forecast_demand
from teams.merchandising.inventory import clean_inventory

BASELINE = Path(__file__).parents[2] / "bench" / "pandas_versions.py"


def load_baseline():
    spec = importlib.util.spec_from_file_location("pandas_versions", BASELINE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pandas_versions = load_baseline()


def assert_same(lazy: pd.DataFrame, pandas: pd.DataFrame) -> None:
    """Same columns, dtype kinds, rows in order and values (floats to 1e-9: a sum's order)."""
    assert list(lazy.columns) == list(pandas.columns)
    assert [lazy[c].dtype.kind for c in lazy] == [pandas[c].dtype.kind for c in pandas]
    pd.testing.assert_frame_equal(lazy, pandas, check_dtype=False, rtol=1e-9)


@pytest.fixture(scope="module")
def landing(landing_zone) -> LandingZone:
    return LandingZone(path=str(landing_zone))


def test_inventory_and_forecast_in_sql_equal_the_pandas_versions(landing):
    raw = landing.read("inventory_snapshots.parquet")
    orders = landing.read("purchase_orders.csv", parse_dates=["order_date", "expected_date"])
    expected = pandas_versions.clean_inventory(raw)
    inventory = clean_inventory(landing.relation("inventory_snapshots.parquet"))
    assert inventory.types == duckdb.from_df(expected).types
    assert_same(inventory.df(), expected)
    assert len(expected) > 1000
    forecast = forecast_demand(inventory, duckdb.from_df(orders))
    expected_forecast = pandas_versions.forecast_demand(expected, orders)
    assert forecast.types == duckdb.from_df(expected_forecast).types
    forecast = forecast.df()
    assert_same(forecast, expected_forecast)
    assert forecast["needs_reorder"].any() and not forecast["needs_reorder"].all()


def test_profiles_in_polars_equal_the_pandas_version(landing):
    clients = landing.read("clients.csv", parse_dates=["signup_date"])
    orders = landing.read("orders.parquet")
    profiles = build_profiles(pl.from_pandas(clients).lazy(), pl.from_pandas(orders).lazy())
    expected = pandas_versions.build_profiles(clients, orders)
    assert expected["n_orders"].eq(0).any()  # clients who never ordered are compared too
    lazy, pandas = duckdb.from_arrow(profiles.collect().to_arrow()), duckdb.from_df(expected)
    assert lazy.types == pandas.types  # the columns the table stores: BIGINT ids with nulls
    assert_same(lazy.df(), pandas.df())
