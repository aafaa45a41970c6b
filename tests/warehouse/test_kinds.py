"""Every kind an asset returns or reads (tests/kinds.py) gets the same table and the same
guarantees: rows, types and metadata; contracts checked before commit; partitions; schema
evolution; and a clear error for what cannot be written. Real lakes, real runs; each test runs
every kind in one run, an asset per kind."""

import decimal

import pandas as pd
from dagster import (
    DailyPartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
)
from pandera.pandas import DataFrameModel, Field

from platform_lib import warehouse_asset
from platform_lib.warehouse.metadata import VERSION
from platform_lib.warehouse.versions import versions_of
from tests.conftest import step_failures
from tests.kinds import (
    INPUTS,
    OUTPUTS,
    as_pandas,
    location_of,
    nothing_left_attached,  # noqa: F401 (every test here checks it)
    reading,
    returning,
    tables_of,
)

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


def test_every_kind_writes_the_same_table_and_metadata(run_team, warehouse):
    result = run_team("shop", [returning(kind, kind, lambda _: FRAME) for kind in OUTPUTS])
    metadata = materializations(result)
    written = tables_of("shop", *OUTPUTS)
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
    written = tables_of("shop", "stock", *INPUTS)
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
    written = tables_of("shop", *OUTPUTS)
    for kind in OUTPUTS:
        assert any(f"Asset shop/{kind} broke its contract: qty_" in f for f in failures), kind
        assert checks[(kind, "qty_greater_than_or_equal_to")] is False, kind
        assert written[kind]["qty"].tolist() == [1, 2], kind  # the previous version
    assert len(failures) == len(OUTPUTS)


def test_a_warn_rule_reports_and_lets_every_kind_commit(run_team):
    result = run_team("shop", stocked(GOOD.assign(price=[-1.0, 2.0])))
    checks = checks_of(result)
    written = tables_of("shop", *OUTPUTS)
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
    written = tables_of("shop", *OUTPUTS)
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
    units = units_by_region(tables_of("shop", *OUTPUTS))
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
    written = tables_of("shop", *INPUTS)
    for kind in INPUTS:
        assert written[kind]["day"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-02"], kind
        assert written[kind]["n"].tolist() == [1], kind
