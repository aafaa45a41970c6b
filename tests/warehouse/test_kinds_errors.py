"""What an asset of any kind (tests/kinds.py) cannot read or write is told as for pandas,
naming the asset, and changes nothing: a missing table or column, a query failing as it is
written, a vetoed write; a failed step detaches what it read before the next one."""

import duckdb
import pandas as pd
import polars as pl
from dagster import AssetKey, asset
from pandera.pandas import DataFrameModel, Field

from platform_lib import team_definitions, warehouse_asset
from tests.kinds import (
    INPUTS,
    LAZY_OUTPUTS,
    attached_lakes,
    nothing_left_attached,  # noqa: F401 (every test here checks it)
    reading,
    returning,
    tables_of,
)

GOOD = pd.DataFrame({"sku": ["a", "b"], "qty": [1, 2], "price": [1.0, 2.0]})


class Stock(DataFrameModel):
    qty: int = Field(ge=0)


def failures_by_asset(result) -> dict[str, str]:
    """The error message of each failed step of a run, by its asset's name."""
    failed = [event for event in result.all_events if event.is_step_failure]
    errors = {event.step_key: event.event_specific_data.error for event in failed}
    return {step: (error.cause or error).message for step, error in errors.items()}


def failing_queries(broken: bool) -> list:
    """A lazy asset per lazy output kind whose query, when ``broken``, fails as it runs."""
    cast = "CAST(sku || 'x' AS INTEGER)" if broken else "length(sku)"

    def relation(source: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
        return duckdb.sql(f"SELECT {cast} AS n FROM source")

    def polars_lazy(source: pl.LazyFrame) -> pl.LazyFrame:
        n = pl.col("sku").cast(pl.Int64, strict=True) if broken else pl.col("sku").str.len_chars()
        return source.select(n.alias("n"))

    def own_connection(source: pd.DataFrame) -> duckdb.DuckDBPyRelation:
        return duckdb.connect().sql(f"SELECT {cast} AS n FROM (VALUES ('a'), ('b')) rows(sku)")

    bodies = {"relation": relation, "polars_lazy": polars_lazy, "own_connection": own_connection}
    assert set(bodies) == set(LAZY_OUTPUTS)
    return [
        returning("stock", "pandas", lambda _: GOOD),
        *(
            reading(kind, kind if kind in INPUTS else "pandas", "stock", body)
            for kind, body in bodies.items()
        ),
    ]


def attached_probe(name: str, priority: int):
    """An asset, run after the stock and the steps of a higher ``priority``, recording the
    lakes attached on DuckDB's default connection when it runs."""

    @asset(name=name, deps=["stock"], op_tags={"dagster/priority": str(priority)})
    def probe() -> pd.DataFrame:
        """The lakes attached when it runs."""
        return pd.DataFrame({"lakes": [", ".join(attached_lakes())]})

    return probe


def test_a_query_failing_as_it_is_written_names_the_asset_and_changes_nothing(run_team):
    run_team("shop", failing_queries(broken=False))
    absent = [  # and inputs of columns the table lacks
        reading(f"absent_{kind}", kind, "stock", lambda source: source, columns=["sku", "gone"])
        for kind in INPUTS
    ]
    vetoed = reading(  # and a result breaking its contract
        "vetoed",
        "relation",
        "stock",
        lambda source: duckdb.sql("SELECT sku, -qty AS qty, price FROM source"),
        warehouse_asset,
        contract=Stock,
        op_tags={"dagster/priority": "2"},  # first after the stock
    )
    probes = [attached_probe("after_veto", 1), attached_probe("after_the_rest", -1)]
    failing = [*failing_queries(broken=True), *absent, vetoed, *probes]
    result = run_team("shop", failing, raise_on_error=False)
    failures = failures_by_asset(result)
    assert "Asset shop/vetoed broke its contract" in failures.pop("vetoed")
    told = failures.pop("absent_pandas").splitlines()[0]  # DuckDB's words below it may differ
    assert "Reading columns ['sku', 'gone'] of shop/stock from shop.stock failed" in told
    for kind in INPUTS:
        if kind != "pandas":
            assert failures.pop(f"absent_{kind}").splitlines()[0] == told, kind
    assert sorted(failures) == sorted(LAZY_OUTPUTS)
    written = tables_of("shop", *LAZY_OUTPUTS)
    for kind in LAZY_OUTPUTS:
        told = failures[kind]
        assert f"Asset shop/{kind}: the " in told, told
        assert f"failed as it ran, writing table shop.{kind}: " in told, told
        assert f"shop.{kind} keeps its previous version" in told, told
        assert written[kind]["n"].tolist() == [1, 1], kind
    # each failed step detached what it read, before the next step: the vetoed write, then
    # the failed reads and writes (their last one, relation, fails just before the probe)
    probed = tables_of("shop", "after_veto", "after_the_rest")
    assert {name: frame["lakes"].tolist() for name, frame in probed.items()} == {
        "after_veto": [""],
        "after_the_rest": [""],
    }


def test_a_missing_upstream_table_is_told_as_for_pandas(run_team):
    copies = [reading(kind, kind, "stock", lambda source: source) for kind in INPUTS]
    defs = team_definitions("shop", assets=[returning("stock", "pandas", lambda _: GOOD), *copies])
    job = defs.resolve_implicit_global_asset_job_def()
    for lake in ("absent", "without the table"):
        result = job.execute_in_process(
            asset_selection=[AssetKey(["shop", kind]) for kind in INPUTS], raise_on_error=False
        )
        failures = failures_by_asset(result)
        told = failures["pandas"]
        for kind in INPUTS:
            assert failures[kind] == told.replace("shop/pandas", f"shop/{kind}"), (lake, kind)
        run_team("shop", [returning("other", "pandas", lambda _: GOOD)])  # the lake exists now
    assert attached_lakes() == []
