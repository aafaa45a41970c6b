"""``tailor check | list | status``: the whole workspace against the platform's rules, what
each team owns, and how its assets are doing."""

import click

from platform_lib.cli.support import guarded, print_table, repository
from platform_lib.workspace.locations import read_workspace


@click.command()
@click.pass_context
def check(context: click.Context) -> None:
    """Check every team against the platform's rules: owners, descriptions, groups, key
    prefixes, contracts or checks, no imports of another team's code, no dependency on an
    undefined asset, consumed columns still published. Exits 1 if any rule is broken."""
    from platform_lib.workspace.rules import check_workspace

    root = repository(context.obj["root"])
    locations = read_workspace(root / "workspace.yaml")
    click.echo(f"checking {len(locations)} code location(s) ...", err=True)
    violations = guarded(context, lambda: check_workspace(root, locations))
    for violation in violations:
        click.echo(str(violation))
    if violations:
        raise SystemExit(1)
    click.echo(f"ok: {len(locations)} code location(s) follow the platform's rules")


@click.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def list_teams(context: click.Context, as_json: bool) -> None:
    """Teams, their assets and owners, schedules and sensors."""
    from platform_lib.workspace.inventory import inventory

    root = repository(context.obj["root"])
    rows = guarded(context, lambda: inventory(read_workspace(root / "workspace.yaml")))
    print_table(rows, as_json)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def status(context: click.Context, as_json: bool) -> None:
    """Per team, from the Dagster instance in DAGSTER_HOME: latest materialization and its
    age, failing checks, and failed runs in the last 24 hours."""
    from platform_lib.workspace.status import local_instance, team_status

    root = repository(context.obj["root"])
    locations = read_workspace(root / "workspace.yaml")
    rows = guarded(context, lambda: team_status(locations, local_instance(root)))
    print_table(rows, as_json)
