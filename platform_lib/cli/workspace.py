"""``tailor check | list | status``: the whole workspace against the platform's rules, what
each team owns, and how its assets are doing."""

import click

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
@json_option
@wide_option
@click.pass_context
def list_teams(context: click.Context, as_json: bool, wide: bool) -> None:
    """Teams, their assets and owners, checks, schedules, sensors and alert routes. The
    table names schedules and sensors without the team's prefix; JSON gives their whole
    names, and lists as lists."""
    from platform_lib.workspace.inventory import as_table_row, inventory

    root = repository(context.obj["root"])
    locations = read_workspace(root / "workspace.yaml")
    with working("loading code locations") as step:
        rows = guarded(context, lambda: inventory(locations, lambda team: step(f"loading {team}")))
    print_table(rows if as_json else [as_table_row(row) for row in rows], as_json, wide=wide)


@click.command()
@env_option
@json_option
@wide_option
@click.pass_context
def status(context: click.Context, env: str, as_json: bool, wide: bool) -> None:
    """Per team, from a Dagster instance: the latest materialization (when, its age, the
    sample it was computed from), assets never materialized, checks_failing (checks whose
    latest evaluation failed; the table adds those not run, as their run failed first;
    JSON gives them as checks_not_run) and failed runs in the last 24 hours. The
    table gives the time of the latest materialization only with --wide; JSON gives it, and
    the age as age_seconds.

    The instance: with --env, the one `make dev TAILOR_ENV=<env>` uses (.dagster_home/, or
    .dagster_home/dev/); else $DAGSTER_HOME, else the one of $TAILOR_ENV. The first line
    (on stderr) says which."""
    from platform_lib.workspace.status import (
        CHECKS_FAILING,
        as_table_row,
        choose_instance,
        open_instance,
        team_status,
    )

    root = repository(context.obj["root"])
    locations = read_workspace(root / "workspace.yaml")
    choice = choose_instance(root, env.lower(), env_from_flag(context))
    say(choice.describe())
    with working("opening the instance") as step:
        rows = guarded(
            context,
            lambda: team_status(
                locations,
                open_instance(choice),
                lambda team: step(f"loading {team}, reading its events"),
            ),
        )
    shown = rows if as_json else [as_table_row(row, wide) for row in rows]
    print_table(shown, as_json, wide=wide, notes={"checks_failing": CHECKS_FAILING})
