"""``tailor deploy``: render the files of a deployment beyond one laptop, or run the
single-host profile from them (docs/deployment.md)."""

import dataclasses
from pathlib import Path

import click

from platform_lib.cli.support import guarded, repository
from platform_lib.deploy.render import render, write
from platform_lib.deploy.settings import DeploySettings
from platform_lib.workspace.locations import read_workspace


@click.group()
def deploy() -> None:
    """Deployment: PostgreSQL storage, a code server per team, a run queue."""


def settings_options(command):
    """A ``--flag`` per field of DeploySettings, with its default."""
    for field in reversed(dataclasses.fields(DeploySettings)):
        flag = "--" + field.name.replace("_", "-")
        envvar = field.metadata.get("envvar")
        command = click.option(
            flag, default=field.default, show_default=True, envvar=envvar, show_envvar=bool(envvar)
        )(command)
    return click.option(
        "--out", type=click.Path(path_type=Path), default=Path("deploy"), show_default=True
    )(command)


@deploy.command(name="render")
@settings_options
@click.pass_context
def render_command(context: click.Context, out: Path, **settings) -> None:
    """Write OUT/workspace.yaml (a gRPC code server per team), OUT/dagster.yaml (PostgreSQL,
    run queue with per-team limits, retries), OUT/supervisord.conf (the
    single-host processes), OUT/helm/values.yaml (one user-code deployment per team on
    the shared lake: --lake-data and --lake-host are needed) and OUT/lake/roles.sql (the
    shared lake's roles, schemas and grants), from workspace.yaml. The same input gives the
    same files; on bad input, none is written."""
    root = repository(context.obj["root"])
    locations = read_workspace(root / "workspace.yaml")
    files = guarded(context, lambda: render(locations, DeploySettings(**settings), kubernetes=True))
    for path in write(out, files):
        click.echo(f"  wrote {path}")


@deploy.command(name="up")
@settings_options
@click.option(
    "--postgres-folder",
    type=click.Path(path_type=Path),
    envvar="TAILOR_PG_FOLDER",
    default=Path(".dagster_home/postgres"),
    show_default=True,
    help="Where the local PostgreSQL keeps its data when TAILOR_PG_HOST is unset "
    "(relative to the repository).",
)
@click.pass_context
def up_command(context: click.Context, out: Path, postgres_folder: Path, **settings) -> None:
    """Run the single-host profile: render into OUT, use the PostgreSQL of TAILOR_PG_*
    (or start a local one), and serve every team's code server, the daemon and the
    webserver under Supervisor until Ctrl-C."""
    from platform_lib.deploy.single_host import up

    root = repository(context.obj["root"])
    locations = read_workspace(root / "workspace.yaml")
    code = guarded(
        context,
        lambda: up(locations, out.resolve(), DeploySettings(**settings),
                   root / postgres_folder, click.echo),
    )  # fmt: skip
    raise SystemExit(code)
