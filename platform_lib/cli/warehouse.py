"""``tailor warehouse migrate``: the DuckDB-file warehouse (a ``<team>.duckdb`` per team,
and per sandbox) moved into the lake, every table and row kept; the old files stay in place
until you delete them. Running it again moves nothing twice."""

import click

from platform_lib.cli.support import guarded, say
from platform_lib.settings import warehouse_dir
from platform_lib.warehouse.migration import migrate_warehouse


@click.group()
def warehouse() -> None:
    """The warehouse itself: moving the old layout into the lake."""


@warehouse.command()
@click.pass_context
def migrate(context: click.Context) -> None:
    """Move every table of data/warehouse/*.duckdb (and sandboxes/*.duckdb) into the lake of
    the same name, each table's record carried as its first version. Old files are only
    read; delete them yourself once the lake has what you need."""
    root = warehouse_dir()
    report = guarded(context, lambda: migrate_warehouse(root, say))
    if not report.old_files:
        say(f"Nothing to migrate: {root} has no DuckDB files of the old layout.")
        return
    click.echo(
        f"Migrated {len(report.migrated)} table(s) into the lake"
        + (f"; {len(report.already)} already there" if report.already else "")
        + "."
    )
    for column in report.retyped:
        click.echo(f"  {column}: ENUM (a categorical) stored as VARCHAR; the lake has no ENUM")
    click.echo("The old files were left in place; delete them once you no longer need them:")
    for path in report.old_files:
        click.echo(f"  {path}")
