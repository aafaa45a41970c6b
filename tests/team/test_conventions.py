"""Every asset of every team follows the platform's conventions, checked over the loaded
definitions, so a new asset that breaks one fails the suite."""

import pandas as pd
import pytest
from dagster import (
    AssetIn,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    DailyPartitionsDefinition,
    asset,
)

from platform_lib import TeamConventionError, WarehouseIOManager, team_definitions
from platform_lib.team.conventions import HELD_AS
from platform_lib.workspace.locations import own_asset_specs

HELD_AS_KINDS = set(HELD_AS.values())


def team_assets(workspace):
    """(team, spec) for every asset a team's location defines (not its references)."""
    for team, defs in workspace.items():
        for spec in own_asset_specs(team, defs):
            yield team, spec


def test_every_team_asset_follows_the_conventions(workspace):
    """Guards the loaded workspace, not just team_definitions: a location that built its
    Definitions another way, or a change to team_definitions, fails here."""
    checked, held = set(), {}
    for team, spec in team_assets(workspace):
        name = spec.key.to_user_string()
        assert len(spec.key.path) == 2, name
        assert spec.group_name == team, name
        assert f"team:{team}" in spec.owners, name
        assert (spec.description or "").strip(), name
        assert "duckdb" in spec.kinds and len(spec.kinds & HELD_AS_KINDS) == 1, name
        held[name] = next(iter(spec.kinds & HELD_AS_KINDS))
        checked.add(team)
    assert checked == set(workspace)  # every team has assets, and all were checked
    # the kind says how each function holds its table: SQL, polars and pandas are all shown
    assert held["merchandising/inventory"] == "sql"
    assert held["client_insights/client_profiles"] == "polars"
    assert held["styling/style_recommendations"] == "pandas"


def test_references_to_other_teams_are_defined_by_their_owner(workspace):
    defined = {spec.key for _, spec in team_assets(workspace)}
    for team, defs in workspace.items():
        for spec in defs.resolve_all_asset_specs():
            if spec.key.path[0] != team:
                assert spec.key in defined, f"{team} references undefined {spec.key}"


def test_every_location_stores_in_the_warehouse_as_its_own_team(workspace):
    for team, defs in workspace.items():
        io_manager = defs.resources["io_manager"]
        assert isinstance(io_manager, WarehouseIOManager)
        assert io_manager.team == team


@asset
def undocumented() -> pd.DataFrame:
    return pd.DataFrame()


@asset(group_name="experiments")
def grouped() -> pd.DataFrame:
    """A frame."""
    return pd.DataFrame()


@asset(key_prefix=["other"])
def prefixed() -> pd.DataFrame:
    """A frame."""
    return pd.DataFrame()


@asset
def source() -> pd.DataFrame:
    """A frame."""
    return pd.DataFrame()


@asset(ins={"elsewhere": AssetIn(key=["merchandising", "inventory"])})
def consumer(source: pd.DataFrame, elsewhere: pd.DataFrame) -> pd.DataFrame:
    """A frame."""
    return source


@asset(ins={"missing": AssetIn(key="not_defined_here")})
def orphan(missing: pd.DataFrame) -> pd.DataFrame:
    """A frame."""
    return missing


def test_keys_are_prefixed_within_the_team_and_left_alone_across_teams():
    defs = team_definitions("pricing", assets=[source, consumer])
    specs = {spec.key: spec for spec in defs.resolve_all_asset_specs()}
    deps = {dep.asset_key for dep in specs[AssetKey(["pricing", "consumer"])].deps}
    assert deps == {AssetKey(["pricing", "source"]), AssetKey(["merchandising", "inventory"])}
    assert AssetKey(["merchandising", "inventory"]) in specs  # a reference, loaded by key


@pytest.mark.parametrize(
    ("asset_def", "message"),
    [
        (undocumented, "pricing/undocumented of team 'pricing' has no description"),
        (grouped, "sets group 'experiments'"),
        (prefixed, "other/prefixed of team 'pricing' has a key prefix"),
        (orphan, "pricing/orphan of team 'pricing' depends on not_defined_here, which the team"),
    ],
)
def test_a_broken_convention_is_refused_naming_asset_and_team(asset_def, message):
    with pytest.raises(TeamConventionError, match=message):
        team_definitions("pricing", assets=[asset_def]).resolve_all_asset_specs()


@pytest.mark.parametrize("name", ["Pricing", "2pricing", "class", "pri-cing"])
def test_a_team_name_must_be_a_lowercase_identifier(name):
    with pytest.raises(TeamConventionError, match="must be a lowercase Python identifier"):
        team_definitions(name, assets=[source])


DAILY = DailyPartitionsDefinition(start_date="2026-01-01")


@asset(partitions_def=DAILY, metadata={"partition_expr": "day"})
def daily() -> pd.DataFrame:
    """A day."""
    return pd.DataFrame()


@asset(partitions_def=DAILY, backfill_policy=BackfillPolicy.multi_run(5))
def batched() -> pd.DataFrame:
    """Five days a run."""
    return pd.DataFrame()


def test_partitioned_assets_backfill_in_one_run_unless_they_choose_otherwise():
    defs = team_definitions("pricing", assets=[daily, batched, source])
    policies = {
        key.path[1]: asset.backfill_policy
        for asset in defs.assets
        if isinstance(asset, AssetsDefinition)
        for key in asset.keys
    }
    assert policies["daily"] == BackfillPolicy.single_run()
    assert policies["batched"] == BackfillPolicy.multi_run(5)
    assert policies["source"] is None


def test_every_team_asset_has_a_contract_and_checks(workspace):
    for team, defs in workspace.items():
        checked = {
            spec.asset_key
            for assets in defs.assets or []
            if isinstance(assets, AssetsDefinition)
            for spec in assets.check_specs
        }
        for _, spec in filter(lambda pair: pair[0] == team, team_assets({team: defs})):
            name = spec.key.to_user_string()
            assert spec.key in checked, f"{name} has no checks"
            assert "dagster/column_schema" in spec.metadata, f"{name} has no contract"
