"""Every kind an asset returns or reads (tests/kinds.py) gets the same table and the same
guarantees: rows, types and metadata; contracts checked before commit; partitions; schema
evolution; and a clear error for what cannot be written. Real lakes, real runs; each test runs
every kind in one run, an asset per kind."""

import decimal

import duckdb
import pandas as pd
import polars as pl
import pytest
from dagster import (
    AssetKey,
    DailyPartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
    asset,
)
from pandera.pandas import DataFrameModel, Field

from platform_lib import team_definitions, warehouse_asset
from platform_lib.warehouse.metadata import VERSION
from platform_lib.warehouse.versions import versions_of
from tests.conftest import step_failures
from tests.kinds import (
    INPUTS,
    LAZY_OUTPUTS,
    OUTPUTS,
    as_pandas,
    attached_lakes,
    location_of,
    nothing_left_attached,  # noqa: F401 (a fixture)
    read_tables,
    reading,
    returning,
)

pytestmark = pytest.mark.usefixtures("nothing_left_attached")

FRAME = pd.DataFrame(
    {
        "sku": ["a", "b", None],
        "grade": pd.Categorical(["x", "y", "x"]),
        "at": pd.to_datetime(["2026-01-01 10:00", None, "2026-01-03 00:00"]),
        "qty": pd.array([1, None, 3], dtype="Int64"),
        "price": [1.5, None, 2.25],
        "cost": pd.Series([decimal.Decimal("1.50"), decimal.Decimal("2.25"), None], dtype=object),
        "ok": pd.array([True, None, False], dtype="boolean"),
    }
)
TYPES = {
    "sku": "VARCHAR",
    "grade": "VARCHAR",  # a pandas Categorical is stored as its text
    "at": "TIMESTAMP_NS",
    "qty": "BIGINT",
    "price": "DOUBLE",
    "cost": "DECIMAL(3,2)",
    "ok": "BOOLEAN",
}


def materializations(result) -> dict[str, dict]:
    """Each asset's materialization metadata in the run, by asset name."""
    return {
        event.materialization.asset_key.path[-1]: event.materialization.metadata
        for event in result.get_asset_materialization_events()
    }


def shop_tables(*names: str) -> dict[str, pd.DataFrame]:
    """The shop's tables ``names``, by name."""
    return {
        name.removeprefix("shop."): frame
        for name, frame in read_tables(*(f"shop.{n}" for n in names)).items()
    }


def test_every_kind_writes_the_same_table_and_metadata(run_team, warehouse):
    result = run_team("shop", [returning(kind, kind, lambda _: FRAME) for kind in OUTPUTS])
    metadata = materializations(result)
    written = shop_tables(*OUTPUTS)
    expected = written["pandas"]
    assert expected["grade"].tolist() == ["x", "y", "x"]
    for kind in OUTPUTS:
        pd.testing.assert_frame_equal(written[kind], expected, obj=kind)
        shown = metadata[kind]
        columns = shown["dagster/column_schema"].schema.columns
        assert {column.name: column.type for column in columns} == TYPES, kind
        assert shown["dagster/row_count"].value == 3, kind
        assert shown["preview"].value == metadata["pandas"]["preview"].value, kind
        (latest, *_) = versions_of(location_of(warehouse, f"shop/{kind}"), f"shop/{kind}")
        assert shown[VERSION].value == latest.version, kind


def test_every_input_kind_reads_the_whole_table(run_team):
    copies = [reading(kind, kind, "stock", lambda source: source) for kind in INPUTS]
    run_team("shop", [returning("stock", "pandas", lambda _: FRAME), *copies])
    written = shop_tables("stock", *INPUTS)
    for kind in INPUTS:  # returned as read: each kind's own way back into the table
        pd.testing.assert_frame_equal(written[kind], written["stock"], obj=kind)


# --- contracts: checked in the warehouse before commit --------------------------------------


class Stock(DataFrameModel):
    sku: str
    qty: int = Field(ge=0)
    price: float = Field(ge=0, metadata={"severity": "warn"})


GOOD = pd.DataFrame({"sku": ["a", "b"], "qty": [1, 2], "price": [1.0, 2.0]})


def stocked(frame: pd.DataFrame) -> list:
    return [
        returning(kind, kind, lambda _: frame, warehouse_asset, contract=Stock) for kind in OUTPUTS
    ]


def checks_of(result) -> dict[tuple[str, str], bool]:
    return {
        (check.asset_key.path[-1], check.check_name): check.passed
        for check in result.get_asset_check_evaluations()
    }


def test_a_broken_contract_blocks_the_commit_whatever_the_kind(run_team):
    run_team("shop", stocked(GOOD))
    result = run_team("shop", stocked(GOOD.assign(qty=[-1, 2])), raise_on_error=False)
    failures = step_failures(result)
    checks = checks_of(result)
    written = shop_tables(*OUTPUTS)
    for kind in OUTPUTS:
        assert any(f"Asset shop/{kind} broke its contract: qty_" in f for f in failures), kind
        assert checks[(kind, "qty_greater_than_or_equal_to")] is False, kind
        assert written[kind]["qty"].tolist() == [1, 2], kind  # the previous version
    assert len(failures) == len(OUTPUTS)


def test_a_warn_rule_reports_and_lets_every_kind_commit(run_team):
    result = run_team("shop", stocked(GOOD.assign(price=[-1.0, 2.0])))
    checks = checks_of(result)
    written = shop_tables(*OUTPUTS)
    for kind in OUTPUTS:
        assert checks[(kind, "price_greater_than_or_equal_to")] is False, kind
        assert written[kind]["price"].tolist() == [-1.0, 2.0], kind


# --- partitions ---------------------------------------------------------------------------

REGIONS = StaticPartitionsDefinition(["east", "north", "west"])


def regional(units: int, **extra) -> list:
    """An asset per kind writing one row of ``units`` per partition of its run (plus
    ``extra`` rows' regions, outside it)."""

    outside = extra.pop("outside", [])

    def rows(context) -> pd.DataFrame:
        regions = [*context.partition_keys, *outside]
        return pd.DataFrame({"region": regions, "units": units, **extra})

    return [
        returning(kind, kind, rows, partitions_def=REGIONS, metadata={"partition_expr": "region"})
        for kind in OUTPUTS
    ]


def units_by_region(written: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Each kind's table, as its units by region."""
    return {
        kind: dict(zip(rows["region"], rows["units"], strict=True))
        for kind, rows in written.items()
    }


def test_every_kind_replaces_only_its_partitions_rows(run_team):
    run_team("shop", regional(1), partition_range=("east", "north"))  # two in one run
    east = run_team("shop", regional(3, returns=0.5), partition_key="east")  # a new column
    metadata = materializations(east)
    written = shop_tables(*OUTPUTS)
    units = units_by_region(written)
    for kind in OUTPUTS:
        assert units[kind] == {"east": 3, "north": 1}, kind
        assert metadata[kind]["tailor/schema_change"].value == "- added `returns` DOUBLE", kind
        assert written[kind]["returns"].isna().sum() == 1, kind  # north's
    outside = run_team(
        "shop",
        regional(9, returns=0.0, outside=["east"]),
        partition_key="north",
        raise_on_error=False,
    )
    failures = step_failures(outside)
    units = units_by_region(shop_tables(*OUTPUTS))
    for kind in OUTPUTS:
        assert any(
            f"Asset shop/{kind} returned 1 row(s) outside partition(s) north" in f for f in failures
        ), kind
        assert units[kind] == {"east": 3, "north": 1}, kind


DAILY = DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-01-04")


def test_every_input_kind_reads_its_partition_or_none(run_team):
    """Each day reads the day before: the first day's maps to no partition, and reads the
    table's columns with no rows."""
    days = returning(
        "days",
        "pandas",
        lambda context: pd.DataFrame({"day": [context.partition_time_window.start], "n": [1]}),
        partitions_def=DAILY,
        metadata={"partition_expr": "day"},
    )
    before = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    readers = [
        reading(
            kind,
            kind,
            "days",
            lambda source: as_pandas(source).assign(day=lambda f: f["day"] + pd.Timedelta(days=1)),
            partitions_def=DAILY,
            metadata={"partition_expr": "day"},
            partition_mapping=before,
        )
        for kind in INPUTS
    ]
    for day in ("2026-01-01", "2026-01-02"):
        run_team("shop", [days, *readers], partition_key=day)
    written = shop_tables(*INPUTS)
    for kind in INPUTS:
        assert written[kind]["day"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-02"], kind
        assert written[kind]["n"].tolist() == [1], kind


# --- what cannot be written -----------------------------------------------------------------


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


@asset(name="attached", op_tags={"dagster/priority": "-1"})  # the run's last step
def attached_after_the_rest() -> pd.DataFrame:
    """The lakes attached on DuckDB's default connection when it runs."""
    return pd.DataFrame({"lakes": [", ".join(attached_lakes())]})


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
    )
    failing = [*failing_queries(broken=True), *absent, vetoed, attached_after_the_rest]
    result = run_team("shop", failing, raise_on_error=False)
    failures = failures_by_asset(result)
    assert "Asset shop/vetoed broke its contract" in failures.pop("vetoed")
    told = failures.pop("absent_pandas").splitlines()[0]  # DuckDB's words below it may differ
    assert "Reading columns ['sku', 'gone'] of shop/stock from shop.stock failed" in told
    for kind in INPUTS:
        if kind != "pandas":
            assert failures.pop(f"absent_{kind}").splitlines()[0] == told, kind
    assert sorted(failures) == sorted(LAZY_OUTPUTS)
    written = shop_tables(*LAZY_OUTPUTS)
    for kind in LAZY_OUTPUTS:
        told = failures[kind]
        assert f"Asset shop/{kind}: the " in told, told
        assert f"failed as it ran, writing table shop.{kind}: " in told, told
        assert f"shop.{kind} keeps its previous version" in told, told
        assert written[kind]["n"].tolist() == [1, 1], kind
    # each failed step detached what it read, before the next step
    assert read_tables("shop.attached")["shop.attached"]["lakes"].tolist() == [""]


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
