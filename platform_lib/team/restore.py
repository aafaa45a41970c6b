"""``<team>_restore``: the job in every team's location that brings back an earlier version
of one of the team's tables, launched from the UI's Launchpad or by ``tailor table restore``.

Its run config names the asset and the version (``tailor table history`` lists them)::

    ops:
      restore_table:
        config: {asset: inventory, to: "7"}   # or a run id, or 2026-12-02T09:00:00

The earlier version comes back as a new version (``warehouse.restore``), only if it passes
the asset's blocking contract checks as they are today; then the run records a
materialization of the asset, "restored from version N (run R)", so the asset's history in
the UI, alerts and downstream automation see it as they see a write. A refused restore fails
the run naming the failing rules, and the table is unchanged. In a dev run it restores the
person's sandbox table.
"""

from collections.abc import Sequence

from dagster import (
    AssetKey,
    AssetMaterialization,
    AssetsDefinition,
    Config,
    Failure,
    JobDefinition,
    OpExecutionContext,
    in_process_executor,
    job,
    op,
)
from pydantic import Field

from platform_lib.contracts.asset_contract import AssetContract, blocking_failures, contract_of
from platform_lib.errors import WarehouseError, did_you_mean
from platform_lib.settings import warehouse_dir
from platform_lib.warehouse.io_manager import WAREHOUSE_RESOURCE
from platform_lib.warehouse.restore import RESTORE_OP, restore_job_name, restore_table
from platform_lib.warehouse.versions import asset_table


class RestoreConfig(Config):
    """Which table to bring back to which version."""

    asset: str = Field(description="The team's asset to restore, by name (or team/name).")
    to: str = Field(
        description="The version to bring back: its number (tailor table history lists them), "
        "the id of the run that wrote it, or an ISO time (the version current then, UTC "
        "unless it says otherwise), e.g. 2026-12-02T09:00:00."
    )


def restore_job(team: str, assets: Sequence[AssetsDefinition]) -> JobDefinition:
    """The team's restore job over its ``assets`` (as ``team_definitions`` made them)."""
    contracts = {key: contract_of(asset) for asset in assets for key in asset.keys}

    @op(
        name=RESTORE_OP,
        description=f"Bring one of {team}'s tables back to an earlier version.",
        required_resource_keys={WAREHOUSE_RESOURCE},  # which tags the run with its environment
    )
    def restore(context: OpExecutionContext, config: RestoreConfig) -> None:
        key = _asset_key(team, config.asset, contracts)
        label = key.to_user_string()
        location = asset_table(label, warehouse_dir())
        contract: AssetContract = contracts[key]
        outcomes = []

        def before_commit(connection, table) -> bool:
            outcomes[:] = contract.evaluate_table(connection, table, key, context.instance)
            return not blocking_failures(outcomes)

        restored = restore_table(
            location,
            label,
            config.to,
            context.run_id,
            before_commit=before_commit,
            descriptions=contract.descriptions,
            on_wait=context.log.warning,
        )
        if restored.version is None:
            failed = ", ".join(outcome.summary() for outcome in blocking_failures(outcomes))
            raise Failure(
                description=(
                    f"Restore of {label} to {restored.source.describe()} refused: that version "
                    f"breaks the asset's contract: {failed}. The table was not changed. Pick "
                    f"another version (tailor table history {label})."
                )
            )
        context.log.info(f"{location.name}: {restored.message}, as version {restored.version}")
        context.log_event(
            AssetMaterialization(key, description=restored.message, metadata=restored.metadata)
        )

    @job(
        name=restore_job_name(team),
        description=f"Bring one of {team}'s tables back to an earlier version, as a new "
        "version checked by its contract. Launchpad config: the asset and `to` (a version "
        "from `tailor table history`, a run id or an ISO time).",
        tags={"team": team},
        executor_def=in_process_executor,
    )
    def restore_a_table() -> None:
        restore()

    return restore_a_table


def _asset_key(team: str, asset: str, contracts: dict[AssetKey, AssetContract]) -> AssetKey:
    """The key of the team's asset ``asset`` names (``name`` or ``team/name``)."""
    owner, _, name = asset.strip().rpartition("/")
    names = sorted(key.path[-1] for key in contracts)
    if owner and owner != team:
        raise WarehouseError(
            f"{restore_job_name(team)} restores the tables of team {team!r}; {asset} belongs to "
            f"team {owner!r}. Run {restore_job_name(owner)} (tailor table restore {asset})."
        )
    key = AssetKey([team, name])
    if key not in contracts:
        raise WarehouseError(
            f"Asset {team}/{name} does not exist in team {team!r}.{did_you_mean(name, names)}",
            f"{team}'s assets: {', '.join(names)}",
        )
    return key
