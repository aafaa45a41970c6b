"""``tailor new-team | new-asset``: a team's code location, or an asset in it, scaffolded."""

import click

from platform_lib.cli.support import guarded, repository
from platform_lib.workspace.consumed_columns import contract_columns
from platform_lib.workspace.locations import CodeLocation, own_asset_specs, read_workspace


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
        f"  3. make dev             shows the {name} code location. Already running? Stop it\n"
        f"                          (Ctrl-C) and run make dev again: it reads workspace.yaml\n"
        f"                          once, and Reload all reloads only the locations it has\n"
        f"  4. tailor new-asset {name} <asset_name> [--reads team/asset]   adds your first\n"
        f"                          real asset (reading another team's table) and removes\n"
        f"                          the example"
    )


@click.command(name="new-asset")
@click.argument("team")
@click.argument("name")
@click.option(
    "--reads",
    "reads",
    multiple=True,
    metavar="TEAM/ASSET",
    help="An asset the new one reads (another team's, through the warehouse); repeatable.",
)
@click.option(
    "--kind",
    type=click.Choice(["pandas", "sql", "polars"]),
    default="pandas",
    show_default=True,
    help="What its logic takes and returns: pandas DataFrames, a DuckDB relation built with "
    "duckdb.sql over its inputs (tables bigger than memory), or polars LazyFrames.",
)
@click.pass_context
def new_asset(
    context: click.Context, team: str, name: str, reads: tuple[str, ...], kind: str
) -> None:
    """Add teams/TEAM/NAME.py (an asset with a contract skeleton) and its test, and list the
    module in the team's definitions.py. The team's example goes, if nobody edited it."""
    from platform_lib.workspace.asset_source import resolve_reads
    from platform_lib.workspace.scaffold import new_asset as scaffold_asset

    root = repository(context.obj["root"])
    locations = read_workspace(root / "workspace.yaml")
    teams = {location.name for location in locations}
    inputs = guarded(
        context, lambda: resolve_reads(team, reads, _published(locations)) if reads else []
    )
    done = guarded(context, lambda: scaffold_asset(root, team, name, teams, inputs, kind))
    for path in done.written:
        click.echo(f"  wrote {path.relative_to(root)}")
    for path in done.removed:
        click.echo(f"  removed {path.relative_to(root)} (the example nobody had edited)")
    if done.kept_example:
        click.echo(
            f"  kept {done.kept_example.relative_to(root)} (the example, edited since "
            "new-team wrote it; remove it from definitions.py by hand when it has served)"
        )
    click.echo(
        f"\nAsset {team}/{name} is scaffolded: write its logic in build_{name}, its columns "
        f"in the contract, then make snapshots (review the diff) and make test.\n"
        f"In a running make dev: Reload the {team} code location (Deployment, or Reload "
        "definitions on the asset graph) to see it. If the team is new since make dev "
        "started, stop make dev (Ctrl-C) and run it again: it reads workspace.yaml once."
    )


def _published(locations: list[CodeLocation]) -> dict[str, dict[str, str]]:
    """Every asset key of the workspace (as team/asset) with its contract's columns."""
    loaded = {location.name: location.load() for location in locations}
    columns = contract_columns(loaded)
    return {
        spec.key.to_user_string(): columns.get(spec.key, {})
        for team, defs in loaded.items()
        for spec in own_asset_specs(team, defs)
    }
