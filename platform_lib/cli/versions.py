"""``tailor table history | restore``: a table's versions, and an earlier one brought back.

``history`` reads the team's lake (your sandbox's with ``--env dev``). ``restore`` runs the
team's ``<team>_restore`` job, the one the UI's Launchpad launches, in this process against
the Dagster instance ``tailor status`` reads, so the run and its materialization show in the
UI like any other.
"""

import click

from platform_lib.cli.data import table
from platform_lib.cli.support import (
    env_from_flag,
    env_option,
    guarded,
    json_option,
    print_table,
    repository,
    say,
    wide_option,
    working,
)
from platform_lib.environment.run_environment import ENV_VAR
from platform_lib.errors import TailorError
from platform_lib.settings import warehouse_dir
from platform_lib.warehouse.restore import RESTORE_OP, restore_job_name, restore_source
from platform_lib.warehouse.versions import asset_table, versions_of

WHO = "who"


@table.command()
@click.argument("asset")
@env_option
@json_option
@wide_option
@click.pass_context
def history(context: click.Context, asset: str, env: str, as_json: bool, wide: bool) -> None:
    """ASSET's (team/name) versions, newest first: each write or restore of its table, with
    when, the run, the rows it held and who made it in which environment. Production's,
    or your sandbox's with --env dev. `tailor table restore ASSET --to VERSION` brings one
    back."""
    import os

    os.environ[ENV_VAR] = env.lower()  # the table a run in that environment writes

    def read() -> list[dict]:
        location = asset_table(asset, warehouse_dir())
        say(f"{asset} in {location.sandbox or 'production'} ({location.lake})")
        return [version.as_row() for version in versions_of(location, asset)]

    rows = guarded(context, read)
    print_table(rows if as_json else [_table_row(row) for row in rows], as_json, wide=wide)


@table.command()
@click.argument("asset")
@click.option(
    "--to",
    "to",
    required=True,
    help="The version to bring back: its number (tailor table history), the id of the run "
    "that wrote it, or an ISO time (the version current then; UTC unless it says).",
)
@env_option
@click.pass_context
def restore(context: click.Context, asset: str, to: str, env: str) -> None:
    """Bring ASSET's (team/name) table back to an earlier version, as a new version checked
    by the asset's contract (refused, the table unchanged, if it fails). Runs the team's
    <team>_restore job, as the UI's Launchpad does, recorded in the Dagster instance
    `tailor status` reads; in dev it restores your sandbox's table."""
    import os

    from platform_lib.workspace.locations import read_workspace
    from platform_lib.workspace.status import choose_instance, open_instance

    root = repository(context.obj["root"])
    os.environ[ENV_VAR] = env.lower()
    team = asset.partition("/")[0]
    choice = choose_instance(root, env.lower(), env_from_flag(context))
    say(choice.describe())

    def run() -> str:
        locations = {
            location.name: location for location in read_workspace(root / "workspace.yaml")
        }
        # a version that does not exist is refused here, not by a failed run in the UI
        restore_source(asset_table(asset, warehouse_dir()), asset, to)
        if team not in locations:
            raise TailorError(f"{asset}: no code location of team {team!r} in workspace.yaml.")
        with working(f"loading {team}"):
            job = locations[team].load().resolve_job_def(restore_job_name(team))
        config = {
            "ops": {RESTORE_OP: {"config": {"asset": asset, "to": to}}},
            "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},  # errors: below
        }
        with open_instance(choice) as instance:
            result = job.execute_in_process(
                run_config=config, instance=instance, raise_on_error=False
            )
        if not result.success:
            raise _step_error(result)
        (message,) = [
            event.event_specific_data.materialization.description
            for event in result.all_events
            if event.event_type_value == "ASSET_MATERIALIZATION"
        ]
        return f"{asset}: {message}; run {result.run_id}"

    click.echo(guarded(context, run))


def _step_error(result) -> TailorError:
    """The restore step's failure as a one-line error: a refusal's description, or the
    error it raised (its first line, without the class)."""
    failure = result.failure_data_for_node(RESTORE_OP)
    if failure.user_failure_data is not None:
        return TailorError(failure.user_failure_data.description, f"run {result.run_id}")
    error = failure.error.cause or failure.error
    message, _, hint = error.message.strip().partition("\nhint: ")
    return TailorError(message.split(": ", 1)[-1], hint.strip() or f"run {result.run_id}")


def _table_row(row: dict) -> dict:
    """The history row a terminal shows: who as ``author (environment)``, run ids whole."""
    shown = {name: value for name, value in row.items() if name not in ("author", "environment")}
    shown[WHO] = f"{row['author']} ({row['environment']})" if row["author"] else None
    return shown
