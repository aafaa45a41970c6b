"""What a Dagster user expects of a table IO manager: dagster-duckdb-pandas's own test suite
(dagster-io/dagster, python_modules/libraries/dagster-duckdb-pandas/
dagster_duckdb_pandas_tests/test_type_handler.py), ported to Tailor and run against its lake.

Adapted: keys are ``[team, asset]`` with the team defined through ``team_definitions``
(the stock suite's ``key_prefix=["my_schema"]`` is the team here), values come from the
test rather than run config, and tables are read back through ``open_warehouse``. Where
Tailor differs on purpose the test says so: op outputs and the ``schema`` setting are
refused with a message saying what to do, an empty frame is written as an empty table. The
stock suite's SQL-string tests of dagster-duckdb (``test_io_manager.py``) test its private
query builder and have no counterpart. Further tests cover what the port found missing:
Dagster's standard table metadata, partitions in a non-UTC time zone, and categoricals.
"""

import pandas as pd
import pandera.pandas as pa
import pytest
from dagster import (
    AssetIn,
    AssetKey,
    BackfillPolicy,
    DagsterInstance,
    DailyPartitionsDefinition,
    Definitions,
    DynamicPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    MultiToSingleDimensionPartitionMapping,
    Out,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
    asset,
    graph,
    op,
)
from pandera.typing import Series

from platform_lib import (
    TeamConventionError,
    WarehouseIOManager,
    team_definitions,
    warehouse_asset,
)
from tests.conftest import failure_message


def frame_asset(name, frame, **asset_kwargs):
    @asset(name=name, **asset_kwargs)
    def produce() -> pd.DataFrame:
        """A frame given by the test."""
        return frame

    return produce


@asset
def b_df() -> pd.DataFrame:
    """Three rows."""
    return pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]})


@asset
def b_plus_one(b_df: pd.DataFrame) -> pd.DataFrame:
    """b_df plus one."""
    return b_df + 1


@asset(ins={"b_df": AssetIn(metadata={"columns": ["a"]})})
def b_plus_one_columns(b_df: pd.DataFrame) -> pd.DataFrame:
    """Column a of b_df, plus one."""
    return b_df + 1


def latest_metadata(instance: DagsterInstance, key: list[str]) -> dict:
    event = instance.get_latest_materialization_event(AssetKey(key))
    return {name: value.value for name, value in event.asset_materialization.metadata.items()}


# ported: test_duckdb_io_manager_with_assets, test_loading_columns


def test_assets_are_tables_and_a_second_materialization_replaces_them(run_team, read_table):
    for _ in range(2):  # twice: the second write replaces the first's table
        run_team("my_schema", [b_df, b_plus_one])
        assert read_table("my_schema.b_df")["a"].tolist() == [1, 2, 3]
        assert read_table("my_schema.b_plus_one")["a"].tolist() == [2, 3, 4]


def test_an_input_reads_only_the_columns_its_asset_in_names(run_team, read_table):
    for _ in range(2):
        run_team("my_schema", [b_df, b_plus_one_columns])
        table = read_table("my_schema.b_plus_one_columns")
        assert table["a"].tolist() == [2, 3, 4]
        assert list(table.columns) == ["a"]


# ported: test_not_supported_type (stock raises its internal CheckError)


def test_an_output_that_is_not_a_frame_is_refused_naming_the_asset(run_team, run_failure):
    @asset
    def count() -> int:
        """Not a frame."""
        return 1

    result = run_team("my_schema", [count], raise_on_error=False)
    said = "Asset my_schema/count returned int; the warehouse stores a pandas.DataFrame, polars"
    assert said in run_failure(result)


# ported: test_duckdb_io_manager_with_ops (stock stores an op's output as <schema>.result)


@op(out=Out(metadata={"schema": "a_df"}))
def a_df() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]})


@op
def add_one(df: pd.DataFrame) -> pd.DataFrame:
    return df + 1


@graph
def add_one_to_dataframe():
    add_one(a_df())


def test_an_op_output_is_refused_saying_the_warehouse_stores_assets(warehouse):
    defs = team_definitions("my_schema", assets=[b_df], jobs=[add_one_to_dataframe.to_job()])
    job = defs.get_job_def("add_one_to_dataframe")
    message = failure_message(job.execute_in_process(raise_on_error=False))
    assert "Output 'result' of op a_df is not an asset: the warehouse stores assets" in message
    assert "io_manager_key" in message
    assert not warehouse.exists() or not list(warehouse.glob("*.sqlite"))


# ported: test_duckdb_io_manager_with_schema; Tailor's schema of a table is its team's


def test_the_schema_setting_of_the_io_manager_is_refused(warehouse):
    with pytest.raises(Exception, match="the team is the schema") as refused:
        WarehouseIOManager(schema="custom_schema")
    assert "WarehouseIOManager sets schema 'custom_schema'" in str(refused.value)


def test_the_schema_of_an_assets_metadata_is_refused(warehouse):
    placed = frame_asset("my_df", pd.DataFrame({"a": [1]}), metadata={"schema": "custom_schema"})
    with pytest.raises(TeamConventionError, match="the team is the schema") as refused:
        team_definitions("my_schema", assets=[placed])
    assert "my_schema/my_df" in str(refused.value)


def test_the_schema_of_an_assets_metadata_is_refused_by_the_io_manager_alone(
    warehouse, run_failure
):
    placed = frame_asset(
        "my_df", pd.DataFrame({"a": [1]}), key_prefix="my_schema", metadata={"schema": "x"}
    )
    defs = Definitions(assets=[placed], resources={"io_manager": WarehouseIOManager()})
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    message = run_failure(result)
    assert "Asset my_schema/my_df sets schema 'x'" in message
    assert "the team is the schema" in message


# ported: the partitioned tests (time window, static, multi, dynamic)

DAILY = DailyPartitionsDefinition(start_date="2022-01-01")


def daily_partitioned(value: str):
    @asset(name="daily_partitioned", partitions_def=DAILY, metadata={"partition_expr": "time"})
    def produce(context) -> pd.DataFrame:
        """Three rows of one day."""
        day = pd.Timestamp(context.partition_key)
        return pd.DataFrame({"time": [day] * 3, "a": [value] * 3, "b": [4, 5, 6]})

    return produce


def test_a_time_window_partition_replaces_only_its_rows(run_team, read_table):
    run_team("my_schema", [daily_partitioned("1")], partition_key="2022-01-01")
    assert read_table("my_schema.daily_partitioned")["a"].tolist() == ["1"] * 3
    run_team("my_schema", [daily_partitioned("2")], partition_key="2022-01-02")
    assert sorted(read_table("my_schema.daily_partitioned")["a"]) == ["1"] * 3 + ["2"] * 3
    run_team("my_schema", [daily_partitioned("3")], partition_key="2022-01-01")
    assert sorted(read_table("my_schema.daily_partitioned")["a"]) == ["2"] * 3 + ["3"] * 3


COLORS = StaticPartitionsDefinition(["red", "yellow", "blue"])


def static_partitioned(value: str):
    @asset(name="static_partitioned", partitions_def=COLORS, metadata={"partition_expr": "color"})
    def produce(context) -> pd.DataFrame:
        """Three rows of one color."""
        return pd.DataFrame({"color": [context.partition_key] * 3, "a": [value] * 3})

    return produce


def test_a_static_partition_replaces_only_its_rows(run_team, read_table):
    run_team("my_schema", [static_partitioned("1")], partition_key="red")
    run_team("my_schema", [static_partitioned("2")], partition_key="blue")
    assert sorted(read_table("my_schema.static_partitioned")["a"]) == ["1"] * 3 + ["2"] * 3
    run_team("my_schema", [static_partitioned("3")], partition_key="red")
    assert sorted(read_table("my_schema.static_partitioned")["a"]) == ["2"] * 3 + ["3"] * 3


TIME_AND_COLOR = MultiPartitionsDefinition({"time": DAILY, "color": COLORS})
MULTI_EXPR = {"time": "CAST(time AS TIMESTAMP)", "color": "color"}


def multi_partitioned(value: str):
    @asset(
        name="multi_partitioned",
        partitions_def=TIME_AND_COLOR,
        metadata={"partition_expr": MULTI_EXPR},
    )
    def produce(context) -> pd.DataFrame:
        """Three rows of one day and color."""
        keys = context.partition_key.keys_by_dimension
        return pd.DataFrame(
            {"color": [keys["color"]] * 3, "time": [keys["time"]] * 3, "a": [value] * 3}
        )

    return produce


def cell(time: str, color: str) -> MultiPartitionKey:
    return MultiPartitionKey({"time": time, "color": color})


def test_a_multi_partition_replaces_only_its_cell(run_team, read_table):
    run_team("my_schema", [multi_partitioned("1")], partition_key=cell("2022-01-01", "red"))
    run_team("my_schema", [multi_partitioned("2")], partition_key=cell("2022-01-01", "blue"))
    run_team("my_schema", [multi_partitioned("3")], partition_key=cell("2022-01-02", "red"))
    assert sorted(read_table("my_schema.multi_partitioned")["a"]) == sorted(["1", "2", "3"] * 3)
    run_team("my_schema", [multi_partitioned("4")], partition_key=cell("2022-01-01", "red"))
    assert sorted(read_table("my_schema.multi_partitioned")["a"]) == sorted(["2", "3", "4"] * 3)


def test_a_downstream_of_one_dimension_reads_every_cell_of_its_day(warehouse, instance):
    seen = {}

    @asset(
        partitions_def=DAILY,
        metadata={"partition_expr": "CAST(time AS TIMESTAMP)"},
        ins={
            "multi_partitioned": AssetIn(
                partition_mapping=MultiToSingleDimensionPartitionMapping("time")
            )
        },
    )
    def downstream_of_multi_partitioned(context, multi_partitioned) -> pd.DataFrame:
        """The cells of one day."""
        seen["colors"] = sorted(multi_partitioned["color"])
        return multi_partitioned

    defs = team_definitions(
        "my_schema", assets=[multi_partitioned("1"), downstream_of_multi_partitioned]
    )
    job = defs.resolve_implicit_global_asset_job_def()
    for color in ("red", "blue"):
        job.execute_in_process(
            partition_key=cell("2022-01-01", color),
            asset_selection=[AssetKey(["my_schema", "multi_partitioned"])],
            instance=instance,
        )
    job.execute_in_process(
        partition_key="2022-01-01",
        asset_selection=[AssetKey(["my_schema", "downstream_of_multi_partitioned"])],
        instance=instance,
    )
    assert seen["colors"] == ["blue"] * 3 + ["red"] * 3


FRUITS = DynamicPartitionsDefinition(name="dynamic_fruits")


def dynamic_partitioned(value: str):
    @asset(name="dynamic_partitioned", partitions_def=FRUITS, metadata={"partition_expr": "fruit"})
    def produce(context) -> pd.DataFrame:
        """Three rows of one fruit."""
        return pd.DataFrame({"fruit": [context.partition_key] * 3, "a": [value] * 3})

    return produce


def test_a_dynamic_partition_replaces_only_its_rows(warehouse, instance, read_table):
    def run(value, key):
        instance.add_dynamic_partitions(FRUITS.name, [key])
        defs = team_definitions("my_schema", assets=[dynamic_partitioned(value)])
        defs.resolve_implicit_global_asset_job_def().execute_in_process(
            partition_key=key, instance=instance
        )

    run("1", "apple")
    run("2", "orange")
    assert sorted(read_table("my_schema.dynamic_partitioned")["a"]) == ["1"] * 3 + ["2"] * 3
    run("3", "apple")
    assert sorted(read_table("my_schema.dynamic_partitioned")["a"]) == ["2"] * 3 + ["3"] * 3


# ported: test_self_dependent_asset (the incremental pattern)

SINCE_2023 = DailyPartitionsDefinition(start_date="2023-01-01")


def self_dependent(value: str, seen: dict):
    @asset(
        name="self_dependent_asset",
        partitions_def=SINCE_2023,
        ins={
            "previous": AssetIn(
                key=["my_schema", "self_dependent_asset"],
                partition_mapping=TimeWindowPartitionMapping(start_offset=-1, end_offset=-1),
            )
        },
        metadata={"partition_expr": "strptime(key, '%Y-%m-%d')"},
    )
    def produce(context, previous: pd.DataFrame) -> pd.DataFrame:
        """Three rows of one day, built on the day before."""
        seen[context.partition_key] = previous
        key = context.partition_key
        return pd.DataFrame({"key": [key] * 3, "a": [value] * 3})

    return produce


def test_a_self_dependent_asset_reads_its_previous_partition(warehouse, instance, read_table):
    seen = {}

    def run(value, key):
        defs = team_definitions("my_schema", assets=[self_dependent(value, seen)])
        defs.resolve_implicit_global_asset_job_def().execute_in_process(
            partition_key=key, instance=instance
        )

    run("1", "2023-01-01")
    assert seen["2023-01-01"].empty  # the first partition has no previous one
    assert read_table("my_schema.self_dependent_asset")["a"].tolist() == ["1"] * 3
    run("2", "2023-01-02")
    assert seen["2023-01-02"]["key"].tolist() == ["2023-01-01"] * 3
    assert sorted(read_table("my_schema.self_dependent_asset")["a"]) == ["1"] * 3 + ["2"] * 3
    run("1b", "2023-01-01")  # the table exists now: an empty frame with its columns
    assert seen["2023-01-01"].empty
    assert list(seen["2023-01-01"].columns) == ["key", "a"]


def test_a_self_dependent_asset_backfills_one_partition_per_run_in_order(warehouse):
    defs = team_definitions("my_schema", assets=[self_dependent("1", {})])
    assets_def = defs.resolve_assets_def(AssetKey(["my_schema", "self_dependent_asset"]))
    assert assets_def.backfill_policy == BackfillPolicy.multi_run(1)


# what the port found missing


def test_materializations_record_dagsters_table_metadata(warehouse, instance):
    defs = team_definitions("my_schema", assets=[b_df, daily_partitioned("1")])
    job = defs.resolve_implicit_global_asset_job_def()
    job.execute_in_process(instance=instance, asset_selection=[AssetKey(["my_schema", "b_df"])])
    whole = latest_metadata(instance, ["my_schema", "b_df"])
    assert whole["dagster/row_count"] == 3
    assert whole["dagster/table_name"] == "my_schema.main.b_df"
    assert "dagster/partition_row_count" not in whole

    partitioned = ["my_schema", "daily_partitioned"]
    for day in ("2022-01-01", "2022-01-02"):
        job.execute_in_process(
            instance=instance, partition_key=day, asset_selection=[AssetKey(partitioned)]
        )
    metadata = latest_metadata(instance, partitioned)
    assert metadata["dagster/partition_row_count"] == 3  # rows this run wrote
    assert metadata["dagster/row_count"] == 6  # rows of the table after the write
    assert metadata["dagster/table_name"] == "my_schema.main.daily_partitioned"


NEW_YORK = DailyPartitionsDefinition(start_date="2024-03-01", timezone="America/New_York")


def test_a_tz_aware_column_is_partitioned_in_the_partitions_time_zone(run_team, read_table):
    @asset(partitions_def=NEW_YORK, metadata={"partition_expr": "at"})
    def events(context) -> pd.DataFrame:
        """Events of one New York day, stamped with their instant."""
        start = context.partition_time_window.start  # midnight in New York
        stamps = [pd.Timestamp(start) + pd.Timedelta(hours=h) for h in (0, 12, 23)]
        return pd.DataFrame({"at": stamps, "n": [1, 2, 3]})

    run_team("my_schema", [events], partition_key="2024-03-05")
    run_team("my_schema", [events], partition_key="2024-03-06")
    run_team("my_schema", [events], partition_key="2024-03-05")
    table = read_table("my_schema.events")
    days = table["at"].dt.tz_convert("America/New_York").dt.strftime("%Y-%m-%d")
    assert days.value_counts().to_dict() == {"2024-03-05": 3, "2024-03-06": 3}


def test_a_new_category_in_a_partition_is_not_a_type_change(run_team, read_table):
    def sized(sizes):
        @asset(name="items", partitions_def=COLORS, metadata={"partition_expr": "color"})
        def items(context) -> pd.DataFrame:
            """Items of one color, their size a category."""
            return pd.DataFrame({"color": context.partition_key, "size": pd.Categorical(sizes)})

        return items

    run_team("my_schema", [sized(["S", "M"])], partition_key="red")
    run_team("my_schema", [sized(["L", "XL"])], partition_key="blue")
    table = read_table("my_schema.items")
    assert sorted(table["size"]) == ["L", "M", "S", "XL"]


class Sized(pa.DataFrameModel):
    color: Series[str]
    size: Series[pd.CategoricalDtype] = pa.Field(isin=["S", "M", "L", "XL"])


def test_a_contract_with_a_category_column_passes_on_the_stored_text(warehouse, instance):
    def sized(sizes):
        @warehouse_asset(
            name="items",
            contract=Sized,
            partitions_def=COLORS,
            metadata={"partition_expr": "color"},
        )
        def items(context) -> pd.DataFrame:
            """Items of one color, their size a category."""
            return pd.DataFrame({"color": context.partition_key, "size": pd.Categorical(sizes)})

        return items

    for sizes, color in ((["S", "M"], "red"), (["L", "XL"], "blue")):
        defs = team_definitions("my_schema", assets=[sized(sizes)])
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
            partition_key=color, instance=instance
        )
        checks = result.get_asset_check_evaluations()
        assert checks and all(check.passed for check in checks)
    metadata = latest_metadata(instance, ["my_schema", "items"])
    types = {c.name: c.type for c in metadata["dagster/column_schema"].columns}
    assert types["size"] == "VARCHAR"
