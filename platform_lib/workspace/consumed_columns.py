"""Cross-team contracts: the columns a team reads from another team's asset must stay there.

A consumer names what it reads on the input, as a list, or with the dtypes it relies on::

    AssetIn(key=["merchandising", "inventory"],
            metadata={"columns": {"sku": "str", "on_hand": "int64"}})

``consumed_column_problems`` compares that with the producer's contract over the whole
loaded workspace, so a change upstream that drops or retypes a consumed column fails CI
before it fails a run.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from dagster import AssetKey, AssetsDefinition, Definitions

from platform_lib.workspace.locations import defined_asset_keys, own_asset_specs

# spellings a consumer may use for the dtype pandera publishes
DTYPE_ALIASES = {
    "int": "int64",
    "float": "float64",
    "string": "str",
    "object": "str",
    "boolean": "bool",
    "datetime64": "datetime64[ns]",
    "datetime": "datetime64[ns]",
}


@dataclass(frozen=True)
class ConsumedColumnProblem:
    """A consumed column the producer's contract lacks or retypes, and where it is named."""

    message: str
    consumer: AssetsDefinition
    """The asset reading the column."""
    spelled: str
    """The text naming what is wrong in the consumer's source: the column, or the key."""


def consumed_column_problems(workspace: Mapping[str, Definitions]) -> list[ConsumedColumnProblem]:
    """One problem per consumed column that the producing team's contract lacks or retypes."""
    contracts = contract_columns(workspace)
    defined = defined_asset_keys(workspace)
    problems = []
    for assets, consumer, upstream, columns in _consumed(workspace):
        if upstream not in defined:  # a key no location defines: the dependencies rule says so
            continue
        producer = upstream.path[0]
        where = f"{consumer.to_user_string()} (team {consumer.path[0]!r}) reads"
        if upstream not in contracts:
            message = (
                f"{where} columns of {upstream.to_user_string()}, which team {producer!r} "
                "publishes without a contract; ask them to add one."
            )
            problems.append(ConsumedColumnProblem(message, assets, upstream.path[-1]))
            continue
        published = contracts[upstream]
        for column, dtype in columns.items():
            if column not in published:
                message = (
                    f"{where} column {column!r} of {upstream.to_user_string()}, which team "
                    f"{producer!r} no longer publishes. Ask them, or stop reading it."
                )
            elif dtype is not None and canonical_dtype(published[column]) != canonical_dtype(dtype):
                message = (
                    f"{where} column {column!r} of {upstream.to_user_string()} as {dtype}, "
                    f"but team {producer!r} now publishes it as {published[column]}."
                )
            else:
                continue
            problems.append(ConsumedColumnProblem(message, assets, column))
    return problems


def contract_columns(workspace: Mapping[str, Definitions]) -> dict[AssetKey, dict[str, str]]:
    """Each asset's columns and their dtypes, as its contract publishes them."""
    columns = {}
    for team, defs in workspace.items():
        for spec in own_asset_specs(team, defs):
            schema = (spec.metadata or {}).get("dagster/column_schema")
            if schema is not None:
                columns[spec.key] = {column.name: column.type for column in schema.columns}
    return columns


def _consumed(
    workspace: Mapping[str, Definitions],
) -> Iterator[tuple[AssetsDefinition, AssetKey, AssetKey, dict[str, str | None]]]:
    for team, defs in workspace.items():
        for assets in defs.assets or []:
            if not isinstance(assets, AssetsDefinition) or not assets.is_executable:
                continue
            for input_name, upstream in assets.node_keys_by_input_name.items():
                if upstream.path[0] == team:
                    continue
                wanted = assets.node_def.input_def_named(input_name).metadata.get("columns")
                if wanted:
                    columns = wanted if isinstance(wanted, dict) else dict.fromkeys(wanted)
                    for consumer in assets.keys:
                        yield assets, consumer, upstream, columns


def canonical_dtype(name: str) -> str:
    """The dtype pandera publishes for a consumer's spelling of it (``int`` is ``int64``)."""
    return DTYPE_ALIASES.get(name, name)
