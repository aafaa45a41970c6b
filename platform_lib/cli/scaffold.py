"""``tailor new-team | new-asset``: a team's code location, or an asset in it, scaffolded."""

import click

from platform_lib.cli.support import guarded, repository
from platform_lib.workspace.locations import read_workspace


@click.command(name="new-team")
@click.argument("name")
@click.pass_context
def new_team(context: click.Context, name: str) -> None:
    """Create teams/NAME/ (definitions, an example asset with a contract, its test) and add
    it to workspace.yaml as its own code location."""
    from platform_lib.workspace.scaffold import new_team as scaffold_team

    root = repository(context.obj["root"])
    teams = {location.name for location in read_workspace(root / "workspace.yaml")}
    written = guarded(context, lambda: scaffold_team(root, name, teams))
    for path in written:
        click.echo(f"  wrote {path.relative_to(root)}")
    click.echo(
        f"\nTeam {name!r} is ready. Next:\n"
        f"  1. make snapshots       pins the shape of {name}'s assets; review, commit the diff\n"
        f"  2. make test            runs teams/{name}/tests and checks the platform's rules\n"
        f"  3. make dev             shows the {name} code location; materialize its example\n"
        f"  4. tailor new-asset {name} <asset_name>   adds your first real asset"
    )


@click.command(name="new-asset")
@click.argument("team")
@click.argument("name")
@click.pass_context
def new_asset(context: click.Context, team: str, name: str) -> None:
    """Add teams/TEAM/NAME.py (an asset with a contract skeleton) and its test, and list the
    module in the team's definitions.py."""
    from platform_lib.workspace.scaffold import new_asset as scaffold_asset

    root = repository(context.obj["root"])
    teams = {location.name for location in read_workspace(root / "workspace.yaml")}
    written = guarded(context, lambda: scaffold_asset(root, team, name, teams))
    for path in written:
        click.echo(f"  wrote {path.relative_to(root)}")
    click.echo(
        f"\nAsset {team}/{name} is scaffolded: write its logic in build_{name}, its columns "
        f"in the contract, then make snapshots (review the diff) and make test."
    )
