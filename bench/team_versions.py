"""Running a team's pipeline with some of its assets swapped for other versions of them.

The benchmarks compare the teams' lazy assets with today's pandas versions of the same assets
(bench/pandas_versions.py): the pandas side replaces, in the team's own modules, each asset
of the same name before the team's code location is loaded, so both sides are composed by
the same ``team_definitions`` with the same contracts, checks and resources.
"""

import importlib
import pkgutil
from types import ModuleType


def swap_assets(team: str, replacements: dict[str, object]) -> list[str]:
    """Replace, in every module of ``teams.<team>``, the asset named like a key of
    ``replacements`` by its value; the qualified names replaced. Call it before the team's
    location is loaded; an asset name not found is an error, never a silent no-op."""
    package = importlib.import_module(f"teams.{team}")
    replaced, found = [], set()
    for module in _modules(package):
        for attribute, value in list(vars(module).items()):
            name = _asset_name(value)
            if name in replacements:
                setattr(module, attribute, replacements[name])
                replaced.append(f"{module.__name__}.{attribute}")
                found.add(name)
    missing = set(replacements) - found
    if missing:
        raise LookupError(f"team {team} has no asset named {sorted(missing)} to swap")
    return replaced


def _modules(package: ModuleType) -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}.")
        if not info.name.endswith((".definitions", ".tests"))
    ]
    return [importlib.import_module(name) for name in names]


def _asset_name(value: object) -> str | None:
    from dagster import AssetsDefinition

    if isinstance(value, AssetsDefinition) and len(value.keys) == 1:
        return value.key.path[-1]
    return None


def use_versions(side: str, team: str) -> list[str]:
    """Make ``team`` run its ``side`` ("lazy" or "pandas") versions; what was swapped. The
    teams' own assets are the lazy ones; the pandas side swaps in bench/pandas_assets.py's
    (and churn_risk's features computed by today's pandas ``order_history``)."""
    if side == "lazy":
        return []
    from pandas_assets import HELPERS, VERSIONS

    swapped = swap_assets(team, VERSIONS.get(team, {}))
    for qualified, function in HELPERS.get(team, {}).items():
        module, path = qualified.split(":")
        *owners, name = path.split(".")
        owner = importlib.import_module(module)
        for attribute in owners:
            owner = getattr(owner, attribute)
        setattr(owner, name, function)
        swapped.append(qualified)
    return swapped
