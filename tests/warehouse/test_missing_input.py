"""An input without a table: a misspelt key of another team's asset is told apart from an
asset never materialized. Real team definitions, a real warehouse on disk and a Dagster
instance on disk, shared by the runs as in `dagster dev`."""

import pandas as pd
from dagster import AssetIn, AssetKey, asset

from platform_lib import team_definitions


@asset
def inventory() -> pd.DataFrame:
    """One row per SKU."""
    return pd.DataFrame({"sku": ["A", "B"], "on_hand": [3, 0]})


def picks_reading(key: list[str]):
    @asset(ins={"stock": AssetIn(key=AssetKey(key))})
    def picks(stock: pd.DataFrame) -> pd.DataFrame:
        """Items to pick."""
        return stock

    return picks


def run(instance, team, assets):
    job = team_definitions(team, assets=assets).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance, raise_on_error=False)


def test_a_misspelt_key_of_another_teams_asset_is_said_not_to_exist(
    warehouse, disk_instance, run_failure
):
    assert run(disk_instance, "merchandising", [inventory]).success
    result = run(disk_instance, "styling", [picks_reading(["merchandising", "inventroy"])])
    message = run_failure(result)
    assert "Asset merchandising/inventroy, read by styling/picks, does not exist" in message
    assert "Did you mean merchandising/inventory?" in message
    assert "Materialize merchandising/inventroy" not in message


def test_an_asset_known_elsewhere_but_not_materialized_here_says_materialize_it(
    warehouse, disk_instance, use, run_failure
):
    use(env="dev")  # only the sandbox holds the table: production never materialized it
    assert run(disk_instance, "merchandising", [inventory]).success
    use(env=None)
    message = run_failure(
        run(disk_instance, "styling", [picks_reading(["merchandising", "inventory"])])
    )
    assert "Asset merchandising/inventory has no table merchandising.inventory" in message
    assert "so styling/picks cannot read it" in message
    assert "Materialize merchandising/inventory first (it belongs to team 'merchandising')." in (
        message
    )
    assert "does not exist" not in message
