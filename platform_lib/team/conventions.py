"""The conventions every team asset follows, applied when its location loads.

Key ``[team, name]`` (a team names its assets by bare name), group ``team``, owner
``team:<team>``, kinds ``duckdb`` and how the asset holds its table (``pandas``, ``polars``,
``arrow`` or ``sql``, by its function's return annotation), a docstring as the required description,
and a plain reference spec for each other team's asset it reads. A break of a convention is
a ``TeamConventionError`` naming the asset, the team and what to do.
"""

import inspect
import keyword
import typing
from collections.abc import Iterable, Mapping

from dagster import AssetKey, AssetsDefinition, AssetSpec, AutomationCondition, BackfillPolicy

from platform_lib.errors import TeamConventionError
from platform_lib.warehouse.kinds import Kind, kind_of_type
from platform_lib.warehouse.layout import SCHEMA, schema_refusal

STORAGE_KIND = "duckdb"
HELD_AS = {
    Kind.PANDAS: "pandas",
    Kind.POLARS: "polars",
    Kind.POLARS_LAZY: "polars",
    Kind.ARROW: "arrow",
    Kind.RELATION: "sql",
}
"""The kind the UI shows (with its icon) for how an asset's function holds its table."""
DEFAULT_GROUP = "default"


def check_team_name(team: str) -> None:
    """Refuse a team name that cannot be a package, a warehouse schema and a key prefix."""
    if not (team.isidentifier() and team.islower() and not keyword.iskeyword(team)):
        raise TeamConventionError(
            f"Team name {team!r} must be a lowercase Python identifier (e.g. 'client_insights'):"
            " it is the package name, the warehouse schema and the asset key prefix."
        )


def team_key_renames(team: str, assets: Iterable[AssetsDefinition]) -> dict[AssetKey, AssetKey]:
    """Each bare key of the team's assets, prefixed with the team; a key that already has a
    prefix is refused."""
    renames = {}
    for asset in assets:
        for key in asset.keys:
            if len(key.path) == 1:
                renames[key] = key.with_prefix(team)
            elif key.path[0] != team or len(key.path) != 2:
                raise TeamConventionError(
                    f"Asset {key.to_user_string()} of team {team!r} has a key prefix; name the "
                    "asset by its bare name and team_definitions adds the team prefix."
                )
    return renames


def other_teams_upstreams(team: str, assets: list[AssetsDefinition]) -> list[AssetSpec]:
    """A reference spec for each upstream asset owned by another team's code location.

    Dagster needs every input's key declared in the location; the owning team's location
    defines the asset itself, and the warehouse loads it by key.
    """
    own = {key for asset in assets for key in asset.keys}
    readers: dict[AssetKey, list[str]] = {}
    for asset in assets:
        for spec in asset.specs:
            for dep in spec.deps:
                readers.setdefault(dep.asset_key, []).append(spec.key.to_user_string())
    foreign = sorted(set(readers) - own, key=lambda key: key.path)
    for key in foreign:
        if len(key.path) != 2 or key.path[0] == team:
            raise TeamConventionError(
                f"Asset {', '.join(readers[key])} of team {team!r} depends on "
                f"{key.to_user_string()}, which the team does not define. Refer to your own "
                "assets by bare name and to another team's by its [team, asset] key, e.g. "
                'AssetIn(key=["merchandising", "inventory"]).'
            )
    return [AssetSpec(key) for key in foreign]


def backfill_policy(
    asset: AssetsDefinition, renames: Mapping[AssetKey, AssetKey]
) -> BackfillPolicy | None:
    """Partitioned assets backfill in one run by default: one process and one warehouse
    transaction for the whole range, instead of a run per partition. An asset that reads
    its own earlier partitions (the incremental pattern) backfills one partition per run,
    in order, so each reads the one before as written. ``renames`` are the team's key
    prefixes (``team_key_renames``), which a self-dependency may be spelt with or without."""
    if asset.partitions_def is None or asset.backfill_policy is not None:
        return asset.backfill_policy
    own = {renames.get(key, key) for key in asset.keys}
    if any(renames.get(key, key) in own for key in asset.dependency_keys):
        return BackfillPolicy.multi_run(1)
    return BackfillPolicy.single_run()


def platform_kinds(asset: AssetsDefinition) -> set[str]:
    """``duckdb``, where every table is stored, and how ``asset``'s function holds it, by its
    return annotation (``pandas`` when it names no kind of table)."""
    function = getattr(getattr(asset.op, "compute_fn", None), "decorated_fn", None)
    try:
        returned = typing.get_type_hints(inspect.unwrap(function)).get("return")
    except Exception:  # no function, or an annotation that does not resolve: say pandas
        returned = None
    return {STORAGE_KIND, HELD_AS[kind_of_type(returned) or Kind.PANDAS]}


def apply_conventions(
    team: str, spec: AssetSpec, followers: set[AssetKey], kinds: set[str]
) -> AssetSpec:
    """``spec`` with the team's group, owner and ``kinds``, following its upstreams when it is
    among ``followers``; refused without a description, with a foreign group, or with a
    ``schema`` of its own (the team is the schema)."""
    name = spec.key.to_user_string()
    if not (spec.description or "").strip():
        raise TeamConventionError(
            f"Asset {name} of team {team!r} has no description. Add a docstring to its "
            "function saying what one row is and where it comes from; the UI shows it."
        )
    if spec.group_name not in (None, DEFAULT_GROUP, team):
        raise TeamConventionError(
            f"Asset {name} sets group {spec.group_name!r}; the group of every asset of team "
            f"{team!r} is the team. Remove group_name from the asset."
        )
    if SCHEMA in spec.metadata:
        raise TeamConventionError(schema_refusal(f"Asset {name}", spec.metadata[SCHEMA], team))
    owner = f"team:{team}"
    follows = spec.key in followers and spec.automation_condition is None
    return spec.replace_attributes(
        group_name=team,
        owners=[owner, *(o for o in spec.owners if o != owner)],
        kinds={*spec.kinds, *kinds},
        automation_condition=AutomationCondition.eager() if follows else spec.automation_condition,
    )
