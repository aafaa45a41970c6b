"""Cross-team contracts over the loaded workspace: a column another team reads may not vanish
or change type upstream without the suite failing, naming both teams and the column."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from platform_lib import team_definitions, warehouse_asset
from platform_lib.workspace.consumed_columns import consumed_column_problems


def test_every_consumed_column_is_published_with_the_type_its_reader_expects(workspace):
    assert consumed_column_problems(workspace) == []


class ChangedInventory(pa.DataFrameModel):
    sku: Series[str]
    snapshot_date: Series[pd.Timestamp]
    on_hand: Series[float]  # was int64; and category is gone


@warehouse_asset(contract=ChangedInventory)
def inventory() -> pd.DataFrame:
    """Inventory, reshaped by its owner."""
    return pd.DataFrame()


def test_an_upstream_change_to_a_consumed_column_is_caught_naming_both_teams(workspace):
    changed = {**workspace, "merchandising": team_definitions("merchandising", assets=[inventory])}
    problems = [problem.message for problem in consumed_column_problems(changed)]
    assert (
        "styling/style_recommendations (team 'styling') reads column 'category' of "
        "merchandising/inventory, which team 'merchandising' no longer publishes." in problems[0]
    )
    assert any(
        "reads column 'on_hand' of merchandising/inventory as int64, but team 'merchandising' "
        "now publishes it as float64" in problem
        for problem in problems
    )
    assert len(problems) == 2


def test_reading_columns_of_an_asset_without_a_contract_is_reported(workspace):
    @warehouse_asset
    def inventory() -> pd.DataFrame:
        """Inventory with no contract."""
        return pd.DataFrame()

    uncontracted = {
        **workspace,
        "merchandising": team_definitions("merchandising", assets=[inventory]),
    }
    problems = [problem.message for problem in consumed_column_problems(uncontracted)]
    assert problems == [
        "styling/style_recommendations (team 'styling') reads columns of merchandising/inventory,"
        " which team 'merchandising' publishes without a contract; ask them to add one."
    ]


def test_dtype_spellings_of_the_same_type_are_not_a_change(workspace):
    from platform_lib.workspace.consumed_columns import canonical_dtype

    assert canonical_dtype("int") == canonical_dtype("int64")
    assert canonical_dtype("string") == canonical_dtype("str")
    assert canonical_dtype("int32") != canonical_dtype("int64")
