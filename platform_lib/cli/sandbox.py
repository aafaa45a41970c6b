"""``tailor sandbox``: a person's dev sandboxes from the command line.

    tailor sandbox list                 your sandbox tables: rows, sample, when written
    tailor sandbox diff TEAM/ASSET      a sandbox table against production
    tailor sandbox drop [--team T]      delete your sandboxes
    tailor sandbox promote TEAM/ASSET   explains how a change reaches production

``--user`` picks another person's sandboxes (default ``$TAILOR_USER``, else the OS user).
"""

import json
from dataclasses import asdict
from pathlib import Path

import click

from platform_lib.cli.support import guarded, json_option, print_table, wide_option
from platform_lib.environment.sandbox_naming import sandbox_user
from platform_lib.sandbox.diff import TableDiff, diff_table
from platform_lib.sandbox.tables import drop_sandboxes, sandbox_tables
from platform_lib.settings import warehouse_dir

PROMOTION = """\
Sandboxes are never copied into production, so nothing was promoted.

A production table changes only through a normal run in prod, from production inputs and
checked by its contract. To put your change there:
  1. see what will change:      tailor sandbox diff {asset}
  2. merge your code, so the prod deployment runs it;
  3. materialize {asset} in prod: from the UI of the deployment (TAILOR_ENV unset, no
     TAILOR_SAMPLE), or let its schedule run it.
"""

user_option = click.option("--user", help="Whose sandboxes (default: $TAILOR_USER or you).")


@click.group()
def sandbox() -> None:
    """Your dev sandboxes: the tables TAILOR_ENV=dev runs wrote (see docs/sandboxes.md)."""


@sandbox.command(name="list")
@user_option
@json_option
@wide_option
@click.pass_context
def list_tables(context: click.Context, user: str | None, as_json: bool, wide: bool) -> None:
    """Your sandbox tables: rows, the sample they were computed from, when written."""
    rows = guarded(context, lambda: sandbox_tables(warehouse_dir(), sandbox_user(user)))
    print_table(rows, as_json, wide=wide)


@sandbox.command()
@click.argument("asset")
@user_option
@click.option("--key", multiple=True, help="Column(s) identifying a row (default: sample_by).")
@click.option("--limit", default=10, show_default=True, help="Changed keys to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def diff(
    context: click.Context,
    asset: str,
    user: str | None,
    key: tuple[str, ...],
    limit: int,
    as_json: bool,
) -> None:
    """Compare ASSET (team/name) in your sandbox with production: row counts, columns, and
    rows by key. A sampled sandbox table is compared with the same sample of production."""
    result = guarded(
        context,
        lambda: diff_table(warehouse_dir(), sandbox_user(user), asset, list(key), limit),
    )
    if as_json:
        click.echo(json.dumps(asdict(result), indent=2, default=str))
        return
    _print_diff(result)


@sandbox.command()
@user_option
@click.option("--team", help="Only this team's sandbox.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def drop(context: click.Context, user: str | None, team: str | None, yes: bool) -> None:
    """Delete your sandboxes (production is never touched)."""
    who = guarded(context, lambda: sandbox_user(user))
    what = f"{team}'s sandbox" if team else "every sandbox"
    if not yes:
        click.confirm(f"Delete {what} of {who}?", abort=True)
    dropped: list[Path] = guarded(context, lambda: drop_sandboxes(warehouse_dir(), who, team))
    for path in dropped:
        click.echo(f"  dropped {path.stem} ({path})")
    if not dropped:
        click.echo(f"  {who} has no sandbox to drop" + (f" for {team}" if team else ""))


@sandbox.command()
@click.argument("asset")
def promote(asset: str) -> None:
    """Explains how a sandbox change reaches production (it is never copied there)."""
    click.echo(PROMOTION.format(asset=asset), err=True)
    raise SystemExit(1)


def _print_diff(result: TableDiff) -> None:
    echo = click.echo
    echo(f"{result.asset}: {result.sandbox} vs {result.production} (sample: {result.sample})")
    change = result.sandbox_rows - result.production_rows
    echo(f"  rows: {result.sandbox_rows} in sandbox, {result.production_rows} in production "
         f"({change:+d})")  # fmt: skip
    for label, columns in (
        ("added columns", result.added_columns),
        ("removed columns", result.removed_columns),
        ("retyped columns", result.retyped_columns),
    ):
        if columns:
            echo(f"  {label}: " + ", ".join(f"{c} ({t})" for c, t in columns.items()))
    if result.note:
        echo(f"  rows by key: {result.note}")
        return
    by = ", ".join(result.key)
    echo(f"  rows by {by}: {result.changed_keys} key(s) changed, {result.keys_only_in_sandbox} "
         f"only in sandbox, {result.keys_only_in_production} only in production")  # fmt: skip
    if result.changed_rows:
        echo("  changed rows, the first keys' production and sandbox versions:")
        print_table(result.changed_rows, as_json=False)
