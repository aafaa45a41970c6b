"""``tailor deploy``: render the files of a deployment beyond one laptop (docs/deployment.md)."""

from pathlib import Path

import click

from platform_lib.cli_support import guarded, repository
from platform_lib.deployment import DeploySettings, render, write
from platform_lib.workspace import read_workspace


@click.group()
def deploy() -> None:
    """Deployment files: PostgreSQL storage, a code server per team, a run queue."""


@deploy.command(name="render")
@click.option("--out", type=click.Path(path_type=Path), default=Path("deploy"), show_default=True)
@click.option(
    "--max-concurrent-runs", default=DeploySettings.max_concurrent_runs, show_default=True
)
@click.option("--runs-per-team", default=DeploySettings.runs_per_team, show_default=True)
@click.option("--run-retries", default=DeploySettings.run_retries, show_default=True)
@click.option("--first-port", default=DeploySettings.first_port, show_default=True)
@click.option("--host", default=DeploySettings.host, show_default=True)
@click.option("--image", default=DeploySettings.image, show_default=True)
@click.option("--image-tag", default=DeploySettings.image_tag, show_default=True)
@click.pass_context
def render_command(context: click.Context, out: Path, **settings) -> None:
    """Write OUT/workspace.yaml (a gRPC code server per team), OUT/dagster.yaml (PostgreSQL,
    run queue with per-team limits, retries, warehouse pools) and OUT/helm/values.yaml (one
    user-code deployment per team), from workspace.yaml. The same input gives the same files."""
    root = repository(context.obj["root"])
    locations = read_workspace(root / "workspace.yaml")
    files = guarded(context, lambda: render(locations, DeploySettings(**settings)))
    for path in write(out, files):
        click.echo(f"  wrote {path}")
