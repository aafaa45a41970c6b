"""Partitioned assets: each run replaces exactly its partitions' rows, ranges are one
transaction, reads return exactly the requested partitions, and the table's shape evolves
only in ways the other partitions can follow."""

import pandas as pd
import pytest
from dagster import (
    AssetIn,
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    WeeklyPartitionsDefinition,
    asset,
)

from platform_lib import team_definitions

DAILY = DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-01-11")
REGIONS = StaticPartitionsDefinition(["west", "east", "o'brien; DROP TABLE x; --"])


def daily_orders(extra_columns=None, rows_per_day=2, dtype="int64"):
    """A daily asset writing ``rows_per_day`` orders stamped inside its partition."""

    @asset(name="orders", partitions_def=DAILY, metadata={"partition_expr": "order_time"})
    def orders(context) -> pd.DataFrame:
        """Orders of one day."""
        start = context.partition_time_window.start.replace(tzinfo=None)
        days = (context.partition_time_window.end - context.partition_time_window.start).days
        stamps = [
            start + pd.Timedelta(days=d, hours=h) for d in range(days) for h in range(rows_per_day)
        ]
        frame = pd.DataFrame({"order_time": stamps, "amount": pd.Series(range(len(stamps)))})
        frame["amount"] = frame["amount"].astype(dtype)
        for name, value in (extra_columns or {}).items():
            frame[name] = value
        return frame

    return orders


def days_in(table: pd.DataFrame) -> list[str]:
    return sorted(table["order_time"].dt.strftime("%Y-%m-%d").unique())


def test_each_daily_run_replaces_only_its_own_day(run_team, read_table):
    run_team("sales", [daily_orders()], partition_key="2026-01-01")
    run_team("sales", [daily_orders()], partition_key="2026-01-02")
    run_team("sales", [daily_orders(rows_per_day=3)], partition_key="2026-01-01")
    table = read_table("sales.orders")
    assert table.groupby(table["order_time"].dt.day).size().to_dict() == {1: 3, 2: 2}


def test_a_backfill_range_writes_every_partition_in_one_run(run_team, read_table):
    run_team("sales", [daily_orders()], partition_range=("2026-01-02", "2026-01-05"))
    assert days_in(read_table("sales.orders")) == [
        "2026-01-02",
        "2026-01-03",
        "2026-01-04",
        "2026-01-05",
    ]


def test_a_failing_range_write_changes_none_of_its_partitions(run_team, read_table):
    run_team("sales", [daily_orders()], partition_range=("2026-01-02", "2026-01-04"))
    before = read_table("sales.orders")
    broken = daily_orders(extra_columns={"note": pd.Series([b"x", 1.5] * 3, dtype=object)})
    result = run_team(
        "sales", [broken], partition_range=("2026-01-02", "2026-01-04"), raise_on_error=False
    )
    assert not result.success
    pd.testing.assert_frame_equal(read_table("sales.orders"), before)


def test_a_downstream_partition_reads_exactly_its_upstream_partitions(run_team):
    seen = {}

    @asset(partitions_def=DAILY, metadata={"partition_expr": "day"})
    def daily_total(orders: pd.DataFrame) -> pd.DataFrame:
        """Total per day."""
        seen["days"] = days_in(orders)
        totals = orders.groupby(orders["order_time"].dt.floor("D"))["amount"].sum()
        return totals.rename_axis("day").reset_index()

    run_team("sales", [daily_orders()], partition_range=("2026-01-01", "2026-01-06"))
    run_team(
        "sales",
        [daily_orders(), daily_total],
        partition_range=("2026-01-03", "2026-01-04"),
    )
    assert seen["days"] == ["2026-01-03", "2026-01-04"]


def test_an_unpartitioned_downstream_reads_every_partition(run_team):
    seen = {}

    @asset(ins={"orders": AssetIn(key="orders")})
    def all_orders(orders: pd.DataFrame) -> pd.DataFrame:
        """Every order."""
        seen["rows"] = len(orders)
        return orders

    run_team("sales", [daily_orders()], partition_range=("2026-01-01", "2026-01-03"))
    defs = team_definitions("sales", assets=[daily_orders(), all_orders])
    defs.resolve_implicit_global_asset_job_def().execute_in_process(
        asset_selection=[all_orders.key.with_prefix("sales")]
    )
    assert seen["rows"] == 6


@pytest.mark.parametrize(
    ("partitions_def", "key", "inside", "outside"),
    [
        (
            HourlyPartitionsDefinition(start_date="2026-01-01-00:00"),
            "2026-01-01-05:00",
            "2026-01-01 05:59",
            "2026-01-01 06:00",
        ),
        (
            WeeklyPartitionsDefinition(start_date="2026-01-04"),
            "2026-01-04",
            "2026-01-10 23:00",
            "2026-01-11 00:00",
        ),
        (
            MonthlyPartitionsDefinition(start_date="2026-01-01"),
            "2026-02-01",
            "2026-02-28 12:00",
            "2026-03-01 00:00",
        ),
    ],
)
def test_time_windows_accept_rows_inside_and_refuse_rows_outside(
    run_team, run_failure, read_table, partitions_def, key, inside, outside
):
    def events(stamps):
        @asset(name="events", partitions_def=partitions_def, metadata={"partition_expr": "at"})
        def produce() -> pd.DataFrame:
            """Events."""
            return pd.DataFrame({"at": pd.to_datetime(stamps)})

        return produce

    run_team("ops", [events([inside])], partition_key=key)
    assert len(read_table("ops.events")) == 1
    message = run_failure(
        run_team("ops", [events([inside, outside])], partition_key=key, raise_on_error=False)
    )
    assert f"Asset ops/events returned 1 row(s) outside partition(s) {key} (by at)" in message
    assert len(read_table("ops.events")) == 1


def regional(frame_by_region, partitions_def=REGIONS, expr="region"):
    @asset(name="stock", partitions_def=partitions_def, metadata={"partition_expr": expr})
    def stock(context) -> pd.DataFrame:
        """Stock per region."""
        return frame_by_region(context.partition_key)

    return stock


def test_static_partitions_including_hostile_keys_are_values_not_sql(run_team, read_table):
    def frame(region):
        return pd.DataFrame({"region": [region, region], "units": [1, 2]})

    for region in REGIONS.get_partition_keys():
        run_team("ops", [regional(frame)], partition_key=region)
    run_team(
        "ops", [regional(lambda r: frame(r).head(1))], partition_key="o'brien; DROP TABLE x; --"
    )
    counts = read_table("ops.stock").groupby("region").size().to_dict()
    assert counts == {"west": 2, "east": 2, "o'brien; DROP TABLE x; --": 1}


def test_two_dimensional_partitions_replace_one_cell(run_team, read_table):
    grid = MultiPartitionsDefinition({"day": DAILY, "region": REGIONS})

    def cell(rows):
        def frame(key):
            day, region = key.split("|")
            return pd.DataFrame(
                {"day": pd.to_datetime([day] * rows), "region": [region] * rows, "units": 1}
            )

        return regional(frame, grid, {"day": "day", "region": "region"})

    run_team("ops", [cell(2)], partition_key="2026-01-01|west")
    run_team("ops", [cell(2)], partition_key="2026-01-01|east")
    run_team("ops", [cell(2)], partition_key="2026-01-02|west")
    run_team("ops", [cell(5)], partition_key="2026-01-01|west")
    table = read_table("ops.stock")
    counts = table.groupby([table["day"].dt.day, "region"]).size().to_dict()
    assert counts == {(1, "east"): 2, (1, "west"): 5, (2, "west"): 2}


def test_a_partitioned_asset_without_partition_expr_is_told_to_set_it(run_team, run_failure):
    @asset(partitions_def=DAILY)
    def visits() -> pd.DataFrame:
        """Visits."""
        return pd.DataFrame({"n": [1]})

    message = run_failure(
        run_team("web", [visits], partition_key="2026-01-01", raise_on_error=False)
    )
    assert 'Asset web/visits is partitioned; set metadata={"partition_expr": "<column>"}' in message


@pytest.mark.parametrize("column", ["channel", 'chan"nel; DROP TABLE orders; --'])
def test_an_added_column_is_added_and_older_partitions_read_null(run_team, read_table, column):
    run_team("sales", [daily_orders()], partition_key="2026-01-01")
    run_team("sales", [daily_orders(extra_columns={column: "web"})], partition_key="2026-01-02")
    table = read_table("sales.orders").sort_values("order_time")
    assert list(table.columns) == ["order_time", "amount", column]
    assert table[column].isna().tolist() == [True, True, False, False]


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        ({"dtype": "float64"}, "retyped: amount (BIGINT -> DOUBLE)"),
        ({"extra_columns": {"amount": None}}, None),  # all-null column is still compatible
    ],
)
def test_a_retyped_column_is_refused_and_the_table_is_unchanged(
    run_team, run_failure, read_table, changed, expected
):
    run_team("sales", [daily_orders()], partition_range=("2026-01-01", "2026-01-02"))
    before = read_table("sales.orders")
    result = run_team(
        "sales", [daily_orders(**changed)], partition_key="2026-01-02", raise_on_error=False
    )
    if expected is None:
        assert result.success
        return
    message = run_failure(result)
    assert expected in message
    assert "the table sales.orders" in message and "materialize all partitions" in message
    pd.testing.assert_frame_equal(read_table("sales.orders"), before)


def test_a_dropped_column_is_refused_naming_asset_table_and_column(
    run_team, run_failure, read_table
):
    run_team("sales", [daily_orders(extra_columns={"channel": "web"})], partition_key="2026-01-01")

    @asset(name="orders", partitions_def=DAILY, metadata={"partition_expr": "order_time"})
    def without_channel() -> pd.DataFrame:
        """Orders without their channel."""
        return pd.DataFrame({"order_time": pd.to_datetime(["2026-01-02"]), "amount": [1]})

    message = run_failure(
        run_team("sales", [without_channel], partition_key="2026-01-02", raise_on_error=False)
    )
    assert "Asset sales/orders cannot write partition(s) 2026-01-02" in message
    assert "dropped: channel" in message
    assert days_in(read_table("sales.orders")) == ["2026-01-01"]


def test_materializing_every_partition_in_one_run_rebuilds_the_table(run_team, read_table):
    run_team("sales", [daily_orders(extra_columns={"channel": "web"})], partition_key="2026-01-01")
    run_team("sales", [daily_orders(dtype="float64")], partition_range=("2026-01-01", "2026-01-10"))
    table = read_table("sales.orders")
    assert list(table.columns) == ["order_time", "amount"]
    assert str(table["amount"].dtype) == "float64"
    assert len(days_in(table)) == 10


def test_an_empty_partition_clears_that_partition_only(run_team, read_table):
    run_team("sales", [daily_orders()], partition_range=("2026-01-01", "2026-01-02"))
    run_team("sales", [daily_orders(rows_per_day=0)], partition_key="2026-01-02")
    assert days_in(read_table("sales.orders")) == ["2026-01-01"]
