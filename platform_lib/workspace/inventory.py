"""What each team owns, read from its loaded code location (``tailor list``)."""

import importlib
import os
from collections.abc import Callable

from dagster import AssetsDefinition

from platform_lib.workspace.locations import CodeLocation, own_asset_specs


def inventory(
    locations: list[CodeLocation], loading: Callable[[str], None] = lambda team: None
) -> list[dict]:
    """One row per team: its assets, owners, schedules, sensors and alert routes (lists of
    names) and its number of checks. ``loading`` hears each team before its location loads."""
    rows = []
    for location in locations:
        loading(location.name)
        defs = location.load()
        specs = own_asset_specs(location.name, defs)
        checks = sum(
            len(assets.check_specs)
            for assets in defs.assets or []
            if isinstance(assets, AssetsDefinition)
        )
        rows.append(
            {
                "team": location.name,
                "assets": sorted(spec.key.path[1] for spec in specs),
                "owners": sorted({owner for spec in specs for owner in spec.owners}),
                "checks": checks,
                "schedules": [s.name for s in defs.schedules or []],
                "sensors": [s.name for s in defs.sensors or []],
                "alert_routes": _routes(location.name),
            }
        )
    return rows


def as_table_row(row: dict) -> dict:
    """A row of inventory as the table shows it: schedules and sensors without the team's
    prefix (the row names the team)."""
    prefix = f"{row['team']}_"
    short = {
        key: [name.removeprefix(prefix) for name in row[key]] for key in ("schedules", "sensors")
    }
    return {**row, **short}


def _routes(team: str) -> list[str]:
    """The team's alert routes from teams/<team>/alerts.py, naming the environment variables
    (and whether they are set here); the local log always receives alerts."""
    try:
        routes = importlib.import_module(f"teams.{team}.alerts").routes
    except ModuleNotFoundError:
        return ["local log"]
    shown = [
        f"{kind} ${name}{'' if os.environ.get(name) else ' (unset)'}"
        for kind, name in (("slack", routes.slack_webhook_env), ("webhook", routes.webhook_env))
        if name
    ]
    shown += [f"email {address}" for address in routes.emails]
    return [*shown, "local log"]
