"""``tailor``: the platform's command line for scientists and the engineers who help them.

    tailor new-team NAME    a new team: its own code location, an example asset and test
    tailor new-asset TEAM NAME   a new asset module with a contract skeleton and a test
    tailor check            the platform's rules over the whole workspace (exit 1 if broken)
    tailor list [--json]    teams, their assets, owners, schedules and sensors
    tailor status [--json]  per team: latest materializations, failing checks, failed runs
    tailor sandbox ...      your dev sandboxes: list, diff against production, drop
    tailor deploy render    deployment files: PostgreSQL, a code server per team, a run queue

Errors are one line and a hint; ``--debug`` shows the traceback.
"""

from pathlib import Path

import click

from platform_lib.cli_support import guarded, print_table, repository
from platform_lib.deploy_cli import deploy
from platform_lib.sandbox_cli import sandbox
from platform_lib.workspace import read_workspace


@click.group()
@click.option("--root", type=click.Path(path_type=Path), help="The repository (default: here).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def tailor(context: click.Context, root: Path | None, debug: bool) -> None:
    """Tailor: check, list and watch the teams' code locations."""
    context.obj = {"root": root, "debug": debug}


@tailor.command()
@click.pass_context
def check(context: click.Context) -> None:
    """Check every team against the platform's rules: owners, descriptions, groups, key
    prefixes, contracts or checks, no imports of another team's code, no dependency on an
    undefined asset, consumed columns still published. Exits 1 if any rule is broken."""
    from platform_lib.workspace_rules import check_workspace

    root = repository(context.obj["root"])
    locations = read_workspace(root / "workspace.yaml")
    click.echo(f"checking {len(locations)} code location(s) ...", err=True)
    violations = guarded(context, lambda: check_workspace(root, locations))
    for violation in violations:
        click.echo(str(violation))
    if violations:
        raise SystemExit(1)
    click.echo(f"ok: {len(locations)} code location(s) follow the platform's rules")


@tailor.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def list_teams(context: click.Context, as_json: bool) -> None:
    """Teams, their assets and owners, schedules and sensors."""
    from platform_lib.team_inventory import inventory

    root = repository(context.obj["root"])
    rows = guarded(context, lambda: inventory(read_workspace(root / "workspace.yaml")))
    print_table(rows, as_json)


@tailor.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def status(context: click.Context, as_json: bool) -> None:
    """Per team, from the Dagster instance in DAGSTER_HOME: latest materialization and its
    age, failing checks, and failed runs in the last 24 hours."""
    from platform_lib.team_status import local_instance, team_status

    root = repository(context.obj["root"])
    locations = read_workspace(root / "workspace.yaml")
    rows = guarded(context, lambda: team_status(locations, local_instance(root)))
    print_table(rows, as_json)


@tailor.command(name="new-team")
@click.argument("name")
@click.pass_context
def new_team(context: click.Context, name: str) -> None:
    """Create teams/NAME/ (definitions, an example asset with a contract, its test) and add
    it to workspace.yaml as its own code location."""
    from platform_lib.scaffold import new_team as scaffold_team

    root = repository(context.obj["root"])
    teams = {location.name for location in read_workspace(root / "workspace.yaml")}
    written = guarded(context, lambda: scaffold_team(root, name, teams))
    for path in written:
        click.echo(f"  wrote {path.relative_to(root)}")
    click.echo(
        f"\nTeam {name!r} is ready. Next:\n"
        f"  1. make test            runs teams/{name}/tests and checks the platform's rules\n"
        f"  2. make dev             shows the {name} code location; materialize its example\n"
        f"  3. tailor new-asset {name} <asset_name>   adds your first real asset"
    )


@tailor.command(name="new-asset")
@click.argument("team")
@click.argument("name")
@click.pass_context
def new_asset(context: click.Context, team: str, name: str) -> None:
    """Add teams/TEAM/NAME.py (an asset with a contract skeleton) and its test, and list the
    module in the team's definitions.py."""
    from platform_lib.scaffold import new_asset as scaffold_asset

    root = repository(context.obj["root"])
    teams = {location.name for location in read_workspace(root / "workspace.yaml")}
    written = guarded(context, lambda: scaffold_asset(root, team, name, teams))
    for path in written:
        click.echo(f"  wrote {path.relative_to(root)}")
    click.echo(
        f"\nAsset {team}/{name} is scaffolded: write its logic in build_{name}, its columns "
        f"in the contract, then make test."
    )


tailor.add_command(sandbox)
tailor.add_command(deploy)


def main() -> None:
    tailor(prog_name="tailor")
