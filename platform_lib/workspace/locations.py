"""The workspace: which team code locations exist, read from ``workspace.yaml``, and what
each defines."""

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from dagster import AssetKey, AssetSpec, Definitions

from platform_lib.errors import TailorError
from platform_lib.settings import REPO_ROOT

WORKSPACE_FILE = REPO_ROOT / "workspace.yaml"


@dataclass(frozen=True)
class CodeLocation:
    """One team's code location: its name and the module attribute holding its Definitions."""

    name: str
    module: str
    attribute: str = "defs"

    def load(self) -> Definitions:
        """Import the location's module and return its Definitions."""
        definitions = getattr(importlib.import_module(self.module), self.attribute, None)
        if not isinstance(definitions, Definitions):
            raise TailorError(
                f"Code location {self.name!r}: {self.module}.{self.attribute} is not a "
                "dagster.Definitions. Assign `defs = team_definitions(...)` in definitions.py."
            )
        return definitions


def read_workspace(path: Path = WORKSPACE_FILE) -> list[CodeLocation]:
    """The code locations listed in a ``workspace.yaml``, in file order."""
    entries = (yaml.safe_load(path.read_text()) or {}).get("load_from") or []
    locations = []
    for entry in entries:
        target = entry.get("python_module") if isinstance(entry, dict) else None
        if not isinstance(target, dict) or "module_name" not in target:
            raise TailorError(
                f"{path}: every load_from entry must be a python_module with a module_name; "
                f"found {entry!r}."
            )
        locations.append(
            CodeLocation(
                name=target.get("location_name", target["module_name"]),
                module=target["module_name"],
                attribute=target.get("attribute", "defs"),
            )
        )
    return locations


def own_asset_specs(team: str, defs: Definitions) -> list[AssetSpec]:
    """The asset specs ``team``'s location defines itself, without the references to other
    teams' assets that it reads."""
    return [spec for spec in defs.resolve_all_asset_specs() if spec.key.path[0] == team]


def defined_asset_keys(workspace: Mapping[str, Definitions]) -> set[AssetKey]:
    """The key of every asset some location of ``workspace`` (loaded, by team) defines."""
    return {spec.key for team, defs in workspace.items() for spec in own_asset_specs(team, defs)}
