"""The <team>_restore job: an earlier version of a table back as a new version, checked by the
asset's contract as it is today, recorded as a materialization in a real on-disk instance."""

import pandas as pd
import pandera.pandas as pa
import pytest
from dagster import AssetKey, AutomationCondition, asset, evaluate_automation_conditions
from pandera.typing import Series

from platform_lib import TableChecks, team_definitions, warehouse_asset
from platform_lib.settings import warehouse_dir
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.records import table_history
from platform_lib.warehouse.restore import RESTORE_OP
from platform_lib.warehouse.versions import asset_table, versions_of

KEY = AssetKey(["crm", "scores"])
FRAMES: dict[str, pd.DataFrame] = {}


class Lax(pa.DataFrameModel):
    score: Series[int]


class Strict(pa.DataFrameModel):
    score: Series[int] = pa.Field(ge=0, description="A client's score")

    @pa.check("score")
    def not_thirteen(cls, scores: pd.Series) -> pd.Series:  # only pandera can check it
        return scores != 13


def scores_asset(contract):
    @warehouse_asset(contract=contract, table_checks=TableChecks(not_empty=True))
    def scores() -> pd.DataFrame:
        """Scores."""
        return FRAMES["scores"]

    return scores


STRICT = team_definitions("crm", assets=[scores_asset(Strict)])


def write(instance, frame: pd.DataFrame, defs=STRICT) -> str:
    FRAMES["scores"] = frame
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance)
    return result.run_id


def restore(instance, to: str, asset: str = "scores", defs=STRICT):
    config = {"ops": {RESTORE_OP: {"config": {"asset": asset, "to": to}}}}
    return defs.resolve_job_def("crm_restore").execute_in_process(
        run_config=config, instance=instance, raise_on_error=False
    )


def stored() -> list[int]:
    location = asset_table("crm/scores", warehouse_dir())
    with lake_connection(location.lake, read_only=True) as connection:
        return [
            row[0] for row in connection.execute("SELECT score FROM scores ORDER BY 1").fetchall()
        ]


def test_every_team_has_a_restore_job_naming_its_config(workspace):
    for team, defs in workspace.items():
        job = defs.resolve_job_def(f"{team}_restore")
        fields = job.get_config_schema_snapshot()  # the Launchpad's form
        assert "asset" in str(fields) and "to" in str(fields), team


def test_a_restore_brings_a_version_back_as_a_new_one_recorded_in_the_instance(
    warehouse, disk_instance
):
    first = write(disk_instance, pd.DataFrame({"score": [1, 2]}))
    write(disk_instance, pd.DataFrame({"score": [5, 6, 7]}))

    result = restore(disk_instance, "1")

    assert result.success
    assert stored() == [1, 2]
    latest = disk_instance.get_latest_materialization_event(KEY).asset_materialization
    assert latest.description == f"restored from version 1 (run {first})"
    metadata = {name: getattr(value, "value", value) for name, value in latest.metadata.items()}
    assert metadata["tailor/version"] == 3 and metadata["tailor/restored_from"] == 1
    assert metadata["dagster/row_count"] == 2  # the table's rows, as a write records them
    assert metadata["dagster/table_name"] == "crm.main.scores"
    (column,) = metadata["dagster/column_schema"].columns
    assert (column.name, column.description) == ("score", "A client's score")
    assert (metadata["tailor/env"], metadata["tailor/sample"]) == ("prod", "full")
    run = disk_instance.get_run_by_id(result.run_id)
    assert run.job_name == "crm_restore" and run.tags["tailor/env"] == "prod"
    # the new version is signed as a restore, and history lists it first
    versions = versions_of(asset_table("crm/scores", warehouse_dir()), "crm/scores")
    assert [(v.version, v.rows, v.as_row()["action"]) for v in versions] == [
        (3, 2, "restored from 1"),
        (2, 3, "write"),
        (1, 2, "write"),
    ]
    assert versions[0].record.run_id == result.run_id


def test_a_version_breaking_todays_contract_is_refused_and_the_table_unchanged(
    warehouse, disk_instance
):
    write(
        disk_instance,
        pd.DataFrame({"score": [-1, 13]}),
        team_definitions("crm", assets=[scores_asset(Lax)]),
    )
    write(disk_instance, pd.DataFrame({"score": [4]}))

    result = restore(disk_instance, "1")

    assert not result.success
    failure = result.failure_data_for_node(RESTORE_OP).user_failure_data
    assert failure.description.startswith("Restore of crm/scores to version 1 (run ")
    assert "score_greater_than_or_equal_to (1 failing row)" in failure.description
    assert "not_thirteen (1 failing row)" in failure.description
    assert "The table was not changed" in failure.description
    assert stored() == [4]
    location = asset_table("crm/scores", warehouse_dir())
    assert [v.version for v in versions_of(location, "crm/scores")] == [2, 1]
    latest = disk_instance.get_latest_materialization_event(KEY).asset_materialization
    assert latest.description is None  # the write's, not a restore's


def test_a_restore_pins_the_version_it_reads_and_keeps_its_sample(warehouse, instance, use):
    use(env="dev", sample="0.5")
    write(instance, pd.DataFrame({"score": [1, 2]}))
    write(instance, pd.DataFrame({"score": [3]}))
    location = asset_table("crm/scores", warehouse_dir())
    assert location.sandbox == "crm__dev_alice"
    seen = []

    from platform_lib.warehouse.restore import restore_table

    def before_commit(connection, table) -> bool:
        seen.append(location.lake.pinned_versions())
        return True

    use(env="dev")  # a full run restores the sample it brings back
    restored = restore_table(location, "crm/scores", "1", "run-x", before_commit=before_commit)

    assert seen == [{1}] and location.lake.pinned_versions() == set()
    assert restored.metadata["tailor/sample"] == "0.5"
    with lake_connection(location.lake, read_only=True) as connection:
        latest = table_history(connection, "scores")[-1]
    assert (latest.action, latest.restored_from, latest.sample, latest.run_id) == (
        "restore",
        1,
        "0.5",
        "run-x",
    )


@pytest.mark.parametrize(
    ("asset", "message"),
    [
        ("scors", "Asset crm/scors does not exist in team 'crm'. Did you mean scores?"),
        (
            "merchandising/inventory",
            "crm_restore restores the tables of team 'crm'; merchandising/inventory belongs to "
            "team 'merchandising'. Run merchandising_restore",
        ),
    ],
)
def test_a_misspelt_or_foreign_asset_is_told(warehouse, instance, asset, message):
    write(instance, pd.DataFrame({"score": [1]}))
    result = restore(instance, "1", asset=asset)
    error = result.failure_data_for_node(RESTORE_OP).error.cause.message
    assert message in error


def test_assets_following_a_restored_table_are_requested_by_automation(warehouse, instance):
    @asset(automation_condition=AutomationCondition.eager())
    def ranked(scores: pd.DataFrame) -> pd.DataFrame:
        """Reads scores."""
        return scores

    defs = team_definitions("crm", assets=[scores_asset(Strict), ranked])
    write(instance, pd.DataFrame({"score": [1]}), defs)
    write(instance, pd.DataFrame({"score": [2]}), defs)
    cursor = evaluate_automation_conditions(defs=defs, instance=instance).cursor
    settled = evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    assert not settled.get_requested_partitions(AssetKey(["crm", "ranked"]))

    assert restore(instance, "1", defs=defs).success
    after = evaluate_automation_conditions(defs=defs, instance=instance, cursor=settled.cursor)
    assert after.get_requested_partitions(AssetKey(["crm", "ranked"]))
