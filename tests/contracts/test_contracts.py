"""Contracts: a pandera model becomes one asset check per rule, evaluated in the warehouse
(or by pandera when SQL cannot say it), blocking the write on ERROR and not on WARN."""

from datetime import timedelta

import duckdb
import pandas as pd
import pandera.pandas as pa
import pytest
from dagster import AssetCheckSeverity, AssetKey, asset
from pandera.typing import Series

from platform_lib import TableChecks, team_definitions, warehouse_asset
from platform_lib.contracts.evaluation import evaluate_in_warehouse
from platform_lib.contracts.rules import rules_from_contract


class Clients(pa.DataFrameModel):
    client_id: Series[int] = pa.Field(unique=True, ge=1, description="The client's id")
    region: Series[str] = pa.Field(isin=["west", "east"])
    score: Series[float] = pa.Field(in_range={"min_value": 0, "max_value": 1}, nullable=True)
    code: Series[str] = pa.Field(str_matches=r"C-\d+$", str_length={"max_value": 6})
    tier: Series[str] = pa.Field(isin=["gold", "basic"], metadata={"severity": "warn"})

    @pa.check("client_id")
    def not_thirteen(cls, ids: pd.Series) -> pd.Series:
        return ids != 13


GOOD = pd.DataFrame(
    {
        "client_id": [1, 2, 3],
        "region": ["west", "east", "west"],
        "score": [0.1, None, 0.9],
        "code": ["C-1", "C-22", "C-333"],
        "tier": ["gold", "basic", "gold"],
    }
)


def clients_asset(frame_for_run, **options):
    @warehouse_asset(contract=Clients, **options)
    def clients(context) -> pd.DataFrame:
        """Clients."""
        return frame_for_run(context)

    return clients


@asset
def downstream(clients: pd.DataFrame) -> pd.DataFrame:
    """Reads clients."""
    return clients


def run(instance, assets, frame):
    """Materialize ``assets`` as team crm; the clients asset returns ``frame``."""
    FRAMES["current"] = frame
    defs = team_definitions("crm", assets=assets)
    return defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance, raise_on_error=False
    )


FRAMES: dict[str, pd.DataFrame] = {}
CLIENTS = clients_asset(lambda context: FRAMES["current"])


def checks_of(result) -> dict:
    return {
        event.event_specific_data.check_name: event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def materialized(result) -> set[str]:
    return {
        event.asset_key.to_user_string()
        for event in result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
    }


def test_one_check_per_column_rule_plus_one_for_the_table():
    names = [rule.name for rule in rules_from_contract(Clients)]
    assert names == [
        "table_rules",
        "client_id_dtype", "client_id_not_null", "client_id_unique",
        "client_id_greater_than_or_equal_to", "client_id_not_thirteen",
        "region_dtype", "region_not_null", "region_isin",
        "score_dtype", "score_in_range",
        "code_dtype", "code_not_null", "code_str_matches", "code_str_length",
        "tier_dtype", "tier_not_null", "tier_isin",
    ]  # fmt: skip
    defs = team_definitions("crm", assets=[CLIENTS])
    specs = {spec.name: spec for assets in defs.assets for spec in assets.check_specs}
    assert specs["client_id_unique"].blocking is True
    assert specs["tier_isin"].blocking is False  # WARN severity does not block
    assert specs["client_id_unique"].asset_key == AssetKey(["crm", "clients"])


def test_a_clean_frame_passes_every_check_and_says_where_each_ran(warehouse, instance):
    result = run(instance, [CLIENTS, downstream], GOOD)
    assert result.success
    stored = instance.get_latest_materialization_event(AssetKey(["crm", "clients"]))
    columns = stored.asset_materialization.metadata["dagster/column_schema"].schema.columns
    assert (columns[0].name, columns[0].type) == ("client_id", "BIGINT")
    assert columns[0].description == "The client's id"  # stored types, contract descriptions
    checks = checks_of(result)
    assert all(check.passed for check in checks.values())
    assert checks["client_id_unique"].metadata["evaluated_in"].value == "warehouse (SQL)"
    assert checks["client_id_not_thirteen"].metadata["evaluated_in"].value == "pandas (pandera)"
    assert materialized(result) == {"crm/clients", "crm/downstream"}


@pytest.mark.parametrize(
    ("check", "bad_rows", "change"),
    [
        ("client_id_unique", 2, {"client_id": [1, 1, 3]}),
        ("client_id_not_null", 1, {"client_id": [1, None, 3]}),
        ("client_id_greater_than_or_equal_to", 1, {"client_id": [1, 0, 3]}),
        ("client_id_not_thirteen", 1, {"client_id": [1, 13, 3]}),
        ("region_isin", 2, {"region": ["north", "east", "south"]}),
        ("score_in_range", 1, {"score": [0.1, 1.5, None]}),
        ("code_str_matches", 1, {"code": ["C-1", "X-22", "C-3"]}),
        ("code_str_length", 1, {"code": ["C-1", "C-22222", "C-3"]}),
    ],
)
def test_each_broken_rule_fails_with_its_exact_rows_and_blocks_the_write(
    warehouse, instance, read_table, check, bad_rows, change
):
    assert run(instance, [CLIENTS, downstream], GOOD).success
    bad = GOOD.assign(**change)
    result = run(instance, [CLIENTS, downstream], bad)
    assert not result.success
    outcome = checks_of(result)[check]
    assert outcome.passed is False
    assert outcome.severity == AssetCheckSeverity.ERROR
    assert outcome.metadata["failing_rows"].value == bad_rows
    sample = outcome.metadata["failing_rows_sample"].value
    assert len(sample.splitlines()) == 2 + bad_rows  # header, separator, the failing rows
    assert "crm/downstream" not in materialized(result)  # downstream did not run
    pd.testing.assert_frame_equal(read_table("crm.clients"), GOOD, check_dtype=False)


@pytest.mark.parametrize(
    ("client_ids", "values"),
    [
        ([1.0, 2.0, 3.0], "every value converts: cast the column to int64 in the asset"),
        (["1", "two", "3"], "1 value would not convert to int64 (e.g. 'two')"),
    ],
)
def test_a_dtype_failure_is_told_of_the_column_in_the_contracts_type_names(
    warehouse, instance, read_table, run_failure, client_ids, values
):
    stored = {float: "float64", str: "str"}[type(client_ids[0])]
    assert run(instance, [CLIENTS, downstream], GOOD).success
    result = run(instance, [CLIENTS, downstream], GOOD.assign(client_id=client_ids))
    outcome = checks_of(result)["client_id_dtype"]
    assert outcome.passed is False
    assert outcome.description == "client_id has type int64"
    detail = f"client_id has type {stored}; the contract says int64; {values}"
    assert outcome.metadata["detail"].value == detail
    assert "failing_rows" not in outcome.metadata  # a verdict on the column, not on rows
    message = run_failure(result)
    assert f"client_id_dtype ({detail})" in message
    for duckdb_name in ("BIGINT", "DOUBLE", "VARCHAR"):
        assert duckdb_name not in outcome.metadata["detail"].value + message
    pd.testing.assert_frame_equal(read_table("crm.clients"), GOOD, check_dtype=False)


def test_a_failed_contract_explains_itself(warehouse, instance, run_failure):
    result = run(instance, [CLIENTS, downstream], GOOD.assign(client_id=[1, 1, 3]))
    message = run_failure(result)
    assert "Asset crm/clients broke its contract: client_id_unique (2 failing rows)" in message
    assert "The table was not changed" in message


def test_a_warn_rule_reports_but_lets_the_write_and_downstream_go_on(
    warehouse, instance, read_table
):
    result = run(instance, [CLIENTS, downstream], GOOD.assign(tier=["gold", "platinum", "gold"]))
    assert result.success
    outcome = checks_of(result)["tier_isin"]
    assert outcome.passed is False and outcome.severity == AssetCheckSeverity.WARN
    assert outcome.metadata["failing_rows"].value == 1
    assert materialized(result) == {"crm/clients", "crm/downstream"}
    assert read_table("crm.clients")["tier"].tolist() == ["gold", "platinum", "gold"]


def test_a_missing_contract_column_fails_the_table_rule(warehouse, instance):
    result = run(instance, [CLIENTS], GOOD.drop(columns="code"))
    table_rule = checks_of(result)["table_rules"]
    assert not table_rule.passed
    assert "missing column(s): ['code']" in table_rule.metadata["detail"].value


def test_custom_sql_checks_count_the_rows_that_break_them(warehouse, instance):
    @warehouse_asset(sql_checks={"west_is_gold": "region <> 'west' OR tier = 'gold'"})
    def clients() -> pd.DataFrame:
        """Clients."""
        return GOOD.assign(tier=["basic", "basic", "gold"])

    result = run(instance, [clients], None)
    assert checks_of(result)["west_is_gold"].metadata["failing_rows"].value == 1
    assert not result.success


def test_table_checks_bound_rows_and_change_since_the_previous_materialization(warehouse, instance):
    checked = clients_asset(
        lambda context: FRAMES["current"],
        table_checks=TableChecks(not_empty=True, min_rows=2, max_change=2.0),
    )
    assert run(
        instance, [checked], pd.concat([GOOD] * 4, ignore_index=True).assign(client_id=range(1, 13))
    ).success
    result = run(instance, [checked], GOOD)  # 12 rows -> 3 rows: a 4x drop
    checks = checks_of(result)
    assert checks["row_count_change"].passed is False
    assert "3 rows vs 12 before (0.25x)" in checks["row_count_change"].metadata["detail"].value
    assert checks["not_empty"].passed and checks["row_count_in_bounds"].passed
    empty = run(instance, [checked], GOOD.iloc[:0])
    assert checks_of(empty)["not_empty"].passed is False


def test_the_contract_is_the_catalogs_column_schema_and_freshness_is_declared():
    fresh = clients_asset(lambda context: GOOD, freshness=timedelta(hours=26))
    spec = next(iter(team_definitions("crm", assets=[fresh]).resolve_all_asset_specs()))
    columns = spec.metadata["dagster/column_schema"].columns
    assert [(c.name, c.type) for c in columns][:2] == [("client_id", "int64"), ("region", "str")]
    assert columns[0].description == "The client's id"
    assert spec.freshness_policy.fail_window.to_timedelta() == timedelta(hours=26)


def test_rules_run_on_a_warehouse_table_that_was_never_a_pandas_frame(tmp_path):
    with duckdb.connect(str(tmp_path / "big.duckdb")) as connection:
        connection.execute(
            "CREATE TABLE clients AS SELECT i AS client_id, 'west' AS region, 0.5 AS score, "
            "'C-' || i AS code, 'gold' AS tier FROM range(1, 200001) t(i)"
        )
        connection.execute("UPDATE clients SET client_id = 7 WHERE client_id = 8")
        outcomes = {
            o.rule.name: o
            for o in evaluate_in_warehouse(connection, "clients", rules_from_contract(Clients))
        }
    assert outcomes["client_id_unique"].failing_rows == 2
    assert outcomes["code_str_length"].failing_rows == 200_000 - 9_999  # codes over 6 chars
    assert not outcomes["code_str_length"].passed and outcomes["region_isin"].passed
