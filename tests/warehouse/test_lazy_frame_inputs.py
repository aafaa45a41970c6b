"""LazyFrame inputs: polars may scan one input twice at once (a self-join) or two inputs of
one lake together; each scan runs on a cursor of its own, so neither fails nor hangs."""

import pandas as pd
import polars as pl
from dagster import asset

KEYS = 50_000


@asset
def orders() -> pd.DataFrame:
    """One row per order: its key and its group."""
    return pd.DataFrame({"k": range(KEYS), "g": [i % 7 for i in range(KEYS)]})


@asset
def groups(orders: pl.LazyFrame) -> pl.LazyFrame:
    """Orders per group above 2, by a self-join."""
    matched = orders.join(orders.select("k"), on="k")
    return matched.filter(pl.col("g") > 2).group_by("g").len().sort("g")


@asset
def totals(orders: pl.LazyFrame, groups: pl.LazyFrame) -> pl.LazyFrame:
    """Sum of order keys per group, for the groups kept."""
    return orders.join(groups, on="g").group_by("g").agg(pl.col("k").sum()).sort("g")


def test_a_self_join_and_two_lazy_inputs_of_one_lake_run(run_team, read_table):
    result = run_team("shop", [orders, groups, totals])
    assert result.success
    expected = pd.DataFrame({"k": range(KEYS), "g": [i % 7 for i in range(KEYS)]})
    kept = expected[expected["g"] > 2]
    assert read_table("shop.groups").sort_values("g")["len"].tolist() == (
        kept.groupby("g").size().tolist()
    )
    assert read_table("shop.totals").sort_values("g")["k"].tolist() == (
        kept.groupby("g")["k"].sum().tolist()
    )
