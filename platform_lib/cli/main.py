"""``tailor``: the platform's command line for scientists and the engineers who help them.

    tailor new-team NAME    a new team: its own code location, an example asset and test
    tailor new-asset TEAM NAME   a new asset module with a contract skeleton and a test
    tailor check            the platform's rules over the whole workspace (exit 1 if broken)
    tailor list [--json] [--wide]   teams, their assets, owners, schedules and sensors
    tailor status [--env dev] [--json]   per team: latest materializations, checks failing,
                            failed runs; from the instance it names (make dev's, or dev's)
    tailor table show TEAM/ASSET [--limit N] [--where SQL] [--columns a,b]   its rows
    tailor table history TEAM/ASSET   its versions, newest first: when, run, rows, who
    tailor table restore TEAM/ASSET --to VERSION|RUN_ID|TIME   an earlier version back
    tailor sql "SELECT ..."   a read-only query over every team's tables (team.asset)
    tailor sandbox ...      your dev sandboxes: list, diff against production, drop
    tailor deploy render    deployment files: PostgreSQL, a code server per team, a run queue
    tailor warehouse migrate   the old DuckDB-file warehouse moved into the lake

Tables fit the terminal (``--wide``: one line per row); ``--json`` gives lists, nulls,
numbers and ISO timestamps. ``--env`` (default ``$TAILOR_ENV``) picks prod or your dev
sandboxes. Errors are one line and a hint; ``--debug`` shows the traceback.
"""

from pathlib import Path

import click

from platform_lib.cli.data import sql, table
from platform_lib.cli.deploy import deploy
from platform_lib.cli.sandbox import sandbox
from platform_lib.cli.scaffold import new_asset, new_team
from platform_lib.cli.versions import history, restore
from platform_lib.cli.warehouse import warehouse
from platform_lib.cli.workspace import check, list_teams, status


@click.group()
@click.option("--root", type=click.Path(path_type=Path), help="The repository (default: here).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def tailor(context: click.Context, root: Path | None, debug: bool) -> None:
    """Tailor: check, list and watch the teams' code locations, and look at their data."""
    context.obj = {"root": root, "debug": debug}


for command in (history, restore):  # table's, with show
    table.add_command(command)
for command in (check, list_teams, status, table, sql, new_team, new_asset, sandbox, deploy):
    tailor.add_command(command)
tailor.add_command(warehouse)


def main() -> None:
    tailor(prog_name="tailor")
