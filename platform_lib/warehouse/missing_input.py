"""Why an input has no table to read, told so that the advice fits.

A table is missing because its asset was never materialized, or because no such asset
exists: a misspelt key of another team's asset is only met when a run reads it (a location
cannot check another team's keys when it loads). An asset is known to exist when the
warehouse holds a table of it in some environment (production or anyone's sandbox) or the
Dagster instance has recorded it (materialized, or planned by a run); a key known to neither
but close to one that is gets "does not exist; did you mean ...?".
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from dagster import DagsterInstance, DagsterInvariantViolationError, InputContext

from platform_lib.environment.sandbox_naming import sandbox_team
from platform_lib.errors import TailorError, WarehouseError, did_you_mean
from platform_lib.sql import table_names
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.layout import TableLocation, sandbox_lakes, team_lakes

PROBE_WAIT_SECONDS = 1.0
"""A lake whose catalog is busy is left out of the known keys rather than waited for."""


def missing_input_error(
    label: str,
    location: TableLocation,
    reader: str,
    root: Path,
    instance: DagsterInstance | None,
) -> WarehouseError:
    """The error for ``reader`` (the asset being run) finding no table of its input
    ``label`` at ``location``; ``root`` is the warehouse folder."""
    known = known_asset_labels(root, instance)
    team, where = location.team, f"{location.name} in the warehouse ({location.lake})"
    if label in known and location.version is not None:
        return WarehouseError(
            f"Asset {label} had no table in production as of TAILOR_AS_OF (version "
            f"{location.version} of team {team!r}'s lake), so {reader} cannot read it: it was "
            "materialized later. Name a later moment, or unset TAILOR_AS_OF."
        )
    if label in known:
        return WarehouseError(
            f"Asset {label} has no table {where}, so {reader} cannot read it. "
            f"Materialize {label} first (it belongs to team {team!r})."
        )
    unknown = (
        "no environment of the warehouse holds its table and this Dagster instance has never "
        "recorded it"
    )
    suggestion = did_you_mean(label, known)
    if suggestion:
        return WarehouseError(
            f"Asset {label}, read by {reader}, does not exist: {unknown}.{suggestion} Fix the "
            f"key in the ins of {reader} (`tailor check` lists every key no code location "
            "defines)."
        )
    return WarehouseError(
        f"Asset {label} has no table {where}, so {reader} cannot read it; {unknown}. "
        f"Materialize {label} first (it belongs to team {team!r}) if that team defines it; "
        f"else fix the key in the ins of {reader} (`tailor check` lists every key no code "
        "location defines)."
    )


def missing_input_for(
    context: InputContext, label: str, location: TableLocation, root: Path
) -> WarehouseError:
    """The error for ``context``'s input without a table, naming the assets reading it."""
    try:  # a run's step; an input context built by hand has neither
        step, instance = context.step_context, context.instance
    except DagsterInvariantViolationError:
        step, instance = None, None
    readers = sorted(key.to_user_string() for key in step.get_output_asset_keys()) if step else []
    reader = ", ".join(readers) or context.op_def.name
    return missing_input_error(label, location, reader, root, instance)


def known_asset_labels(root: Path, instance: DagsterInstance | None) -> set[str]:
    """``team/name`` of every asset with a table in the warehouse under ``root`` (any
    environment) or recorded by ``instance``."""
    import duckdb

    known = {key.to_user_string() for key in instance.get_asset_keys()} if instance else set()
    lakes = list(team_lakes(root).items())
    lakes += [(sandbox_team(name), path) for name, path in sandbox_lakes(root).items()]
    for team, path in lakes:
        # a lake busy or unreadable only narrows the suggestions
        with (
            suppress(TailorError, OSError, duckdb.Error),
            lake_connection(path, read_only=True, wait_seconds=PROBE_WAIT_SECONDS) as connection,
        ):
            known.update(f"{team}/{table}" for table in table_names(connection))
    return known
