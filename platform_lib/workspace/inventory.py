"""What each team owns, read from its loaded code location (``tailor list``)."""

import importlib
import os

from dagster import AssetsDefinition

from platform_lib.workspace.locations import CodeLocation, own_asset_specs


def inventory(locations: list[CodeLocation]) -> list[dict]:
    """One row per team: its assets, owners, checks, schedules and sensors."""
    rows = []
    for location in locations:
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
                "assets": ", ".join(sorted(spec.key.path[1] for spec in specs)),
                "owners": ", ".join(sorted({owner for spec in specs for owner in spec.owners})),
                "checks": checks,
                "schedules": ", ".join(s.name for s in defs.schedules or []) or "-",
                "sensors": ", ".join(s.name for s in defs.sensors or []) or "-",
                "alert_routes": _routes(location.name),
            }
        )
    return rows


def _routes(team: str) -> str:
    """The team's alert routes from teams/<team>/alerts.py, naming the environment variables
    (and whether they are set here); the local log always receives alerts."""
    try:
        routes = importlib.import_module(f"teams.{team}.alerts").routes
    except ModuleNotFoundError:
        return "local log"
    shown = [
        f"{kind} ${name}{'' if os.environ.get(name) else ' (unset)'}"
        for kind, name in (("slack", routes.slack_webhook_env), ("webhook", routes.webhook_env))
        if name
    ]
    shown += [f"email {address}" for address in routes.emails]
    return ", ".join([*shown, "local log"])
