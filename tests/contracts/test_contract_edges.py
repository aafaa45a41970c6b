"""Contract edge cases found in review: each rule either checks what pandera would, or the
contract is refused when the location loads; no database error ever reaches a scientist."""

from datetime import timedelta

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from dagster import DailyPartitionsDefinition
from pandera.typing import Index, Series

from platform_lib import TableChecks, TeamConventionError, team_definitions, warehouse_asset
from platform_lib.contracts.evaluation import evaluate_in_warehouse, evaluate_on_frame
from platform_lib.contracts.rules import rules_from_contract


def outcomes(frame: pd.DataFrame, contract=None, sql_checks=None) -> dict:
    """What the platform evaluates inside a write: the frame stored as a real DuckDB table."""
    rules = rules_from_contract(contract, sql_checks)
    with duckdb.connect() as connection:
        connection.register("incoming", frame)
        connection.execute("CREATE TABLE stored AS SELECT * FROM incoming")
        found = evaluate_on_frame(frame, rules)
        found += evaluate_in_warehouse(connection, "stored", rules, frame)
    return {outcome.rule.name: outcome for outcome in found}


def failed(found: dict) -> set[str]:
    return {name for name, outcome in found.items() if not outcome.passed}


class WithIndex(pa.DataFrameModel):
    idx: Index[int] = pa.Field(ge=0, unique=True)
    x: Series[int]


def test_index_rules_are_checked_on_the_frame():
    bad = pd.DataFrame({"x": [1, 2]}, index=pd.Index([-1, -1], name="idx"))
    assert failed(outcomes(bad, WithIndex)) == {"index_rules"}
    good = pd.DataFrame({"x": [1, 2]}, index=pd.Index([0, 1], name="idx"))
    assert failed(outcomes(good, WithIndex)) == set()


class NullsMatter(pa.DataFrameModel):
    y: Series[float] = pa.Field(nullable=True, ge=0, ignore_na=False)


def test_ignore_na_false_counts_nulls_as_failures():
    found = outcomes(pd.DataFrame({"y": [1.0, None]}), NullsMatter)
    assert found["y_greater_than_or_equal_to"].failing_rows == 1


class Stamped(pa.DataFrameModel):
    at: Series[pd.Timestamp]


def test_a_naive_timestamp_contract_refuses_tz_aware_values():
    aware = pd.DataFrame({"at": pd.to_datetime(["2026-01-01"], utc=True)})
    assert "at_dtype" in failed(outcomes(aware, Stamped))
    naive = pd.DataFrame({"at": pd.to_datetime(["2026-01-01"])})
    assert failed(outcomes(naive, Stamped)) == set()


class Counted(pa.DataFrameModel):
    x: Series[int]

    @pa.check("x")
    def small(cls, values: pd.Series) -> pd.Series:
        return values < 5


def test_repeated_index_labels_do_not_blur_failing_rows():
    frame = pd.concat([pd.DataFrame({"x": [1, 9]}), pd.DataFrame({"x": [9, 9]})])
    found = outcomes(frame, Counted)["x_small"]
    assert found.failing_rows == 3
    assert found.sample["x"].tolist() == [9, 9, 9]


class Coded(pa.DataFrameModel):
    code: Series[str] = pa.Field(str_matches=r"C-\d+$", isin=["C-1", "C-2"])
    when: Series[int] = pa.Field(ge=0)


def test_values_of_the_wrong_type_fail_their_dtype_rule_not_the_run():
    frame = pd.DataFrame({"code": [1, 2], "when": pd.to_datetime(["2026-01-01", "2026-01-02"])})
    found = outcomes(frame, Coded)
    assert {"code_dtype", "when_dtype"} <= failed(found)
    assert "not evaluated" in found["code_str_matches"].detail
    assert found["code_not_null"].passed  # works whatever the type


class Fancy(pa.DataFrameModel):
    code: Series[str] = pa.Field(str_matches=r"(?!TEST)C-\d+")
    limit: Series[float] = pa.Field(lt=np.inf)
    label: Series[str] = pa.Field(notin=["bad", None], nullable=True)


def test_patterns_and_values_sql_cannot_spell_are_checked_by_pandera():
    found = outcomes(
        pd.DataFrame({"code": ["C-1", "TEST-1"], "limit": [1.0, np.inf], "label": ["a", "bad"]}),
        Fancy,
    )
    assert found["code_str_matches"].evaluated_in == "pandas (pandera)"
    assert found["code_str_matches"].failing_rows == 1
    assert found["limit_less_than"].failing_rows == 1
    assert found["label_notin"].failing_rows == 1


def test_a_broken_sql_check_fails_its_check_with_the_reason():
    found = outcomes(pd.DataFrame({"x": [1]}), sql_checks={"typo": "xx > 0"})
    assert not found["typo"].passed
    assert "SQL could not evaluate it" in found["typo"].detail


class Varied(pa.DataFrameModel):
    small: Series[np.uint8]
    nullable_small: Series[pd.Int16Dtype] = pa.Field(nullable=True)
    wait: Series[pd.Timedelta]
    note: Series[str] = pa.Field(nullable=True)


def test_every_pandas_dtype_can_pass_and_all_null_columns_are_compatible():
    frame = pd.DataFrame(
        {
            "small": np.array([1, 2], dtype="uint8"),
            "nullable_small": pd.array([1, None], dtype="Int16"),
            "wait": pd.to_timedelta([1, 2], unit="s"),
            "note": pd.Series([None, None], dtype=object),
        }
    )
    assert failed(outcomes(frame, Varied)) == set()
    assert failed(outcomes(frame.iloc[:0], Varied)) == set()  # an empty frame passes too


class Integral(pa.DataFrameModel):
    n: Series[int]
    unit_cost: Series[int] = pa.Field(alias="unit cost")


def test_a_fraction_in_an_int_column_is_listed_and_nulls_still_counted():
    frame = pd.DataFrame({"n": [1.0, 1.5, 2.0], "unit cost": ["1", None, "x"]})
    found = outcomes(frame, Integral)
    assert found["n_dtype"].detail == (
        "n has type float64; the contract says int64; 1 value would not convert to int64 (e.g. 1.5)"
    )
    assert found["unit_cost_not_null"].failing_rows == 1  # a name with a space, mistyped


class Optional(pa.DataFrameModel):
    x: Series[int]
    extra: Series[int] = pa.Field(required=False, ge=0)


def test_an_optional_column_may_be_absent():
    assert failed(outcomes(pd.DataFrame({"x": [1]}), Optional)) == set()


class Coerced(pa.DataFrameModel):
    a: Series[float]

    class Config:
        coerce = True


class Filtered(pa.DataFrameModel):
    a: Series[int]

    class Config:
        strict = "filter"


class Regexed(pa.DataFrameModel):
    num: Series[int] = pa.Field(regex=True, alias=r"num_\d+")


class Typo(pa.DataFrameModel):
    a: Series[int] = pa.Field(metadata={"severity": "warning"})


class Grouped(pa.DataFrameModel):
    a: Series[int]
    g: Series[str]

    @pa.check("a", groupby="g")
    def per_group(cls, groups) -> bool:
        return True


class Colliding(pa.DataFrameModel):
    a_b: Series[int]
    a_space_b: Series[int] = pa.Field(alias="a b")


@pytest.mark.parametrize(
    ("contract", "message"),
    [
        (Coerced, "coerce=True"),
        (Filtered, 'strict="filter"'),
        (Regexed, "regex column"),
        (Typo, "severity 'warning'"),
        (Grouped, "grouped check 'per_group'"),
        (Colliding, "gives several checks the same name"),
    ],
)
def test_what_the_platform_cannot_check_is_refused_when_the_location_loads(contract, message):
    with pytest.raises(TeamConventionError, match=message):
        rules_from_contract(contract)


def test_table_check_arguments_are_validated_when_the_asset_is_defined():
    with pytest.raises(ValueError, match="must be above 1"):
        TableChecks(max_change=0.5)
    with pytest.raises(TeamConventionError, match="max_change compares whole-table"):

        @warehouse_asset(
            table_checks=TableChecks(max_change=2.0),
            partitions_def=DailyPartitionsDefinition(start_date="2026-01-01"),
        )
        def daily() -> pd.DataFrame:
            """A day."""
            return pd.DataFrame()


def test_a_frame_with_repeated_column_names_is_refused_and_nothing_written(
    warehouse, instance, run_failure, read_table
):
    class Quantity(pa.DataFrameModel):
        qty: Series[int] = pa.Field(ge=1)

    frames = iter([pd.DataFrame({"qty": [1, 2]}), pd.DataFrame([[1, -5]], columns=["qty", "qty"])])

    @warehouse_asset(contract=Quantity, freshness=timedelta(days=1))
    def stock() -> pd.DataFrame:
        """Stock."""
        return next(frames)

    job = team_definitions("ops", assets=[stock]).resolve_implicit_global_asset_job_def()
    assert job.execute_in_process(instance=instance).success
    message = run_failure(job.execute_in_process(instance=instance, raise_on_error=False))
    assert "returned a frame with column(s) ['qty'] more than once" in message
    assert read_table("ops.stock")["qty"].tolist() == [1, 2]
