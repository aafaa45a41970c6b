"""What every ``tailor`` command shares: the repository it works on, tables printed as text
or JSON, and errors reported as one line and a hint."""

import json
import sys
import traceback
from pathlib import Path

import click

from platform_lib.errors import TailorError
from platform_lib.settings import REPO_ROOT


class TailorCommandError(click.ClickException):
    """A failure to report as one line plus a hint."""

    def __init__(self, message: str, hint: str):
        super().__init__(f"{message}\n  hint: {hint}")


def repository(root: Path | None) -> Path:
    """The repository to work on: --root, else the current folder if it holds a workspace,
    else the installed one. Its packages take precedence on sys.path."""
    chosen = root or (Path.cwd() if (Path.cwd() / "workspace.yaml").exists() else REPO_ROOT)
    chosen = chosen.resolve()
    if not (chosen / "workspace.yaml").exists():
        raise TailorCommandError(
            f"{chosen} has no workspace.yaml", "run tailor from the repository's top folder"
        )
    sys.path.insert(0, str(chosen))
    return chosen


def print_table(rows: list[dict], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        click.echo("(nothing)")
        return
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(row[c])) for row in rows)) for c in columns}
    click.echo("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    click.echo("  ".join("-" * widths[c] for c in columns))
    for row in rows:
        click.echo("  ".join(str(row[c]).ljust(widths[c]) for c in columns).rstrip())


def guarded(context: click.Context, action):
    try:
        return action()
    except click.ClickException:
        raise
    except TailorError as error:
        raise TailorCommandError(str(error), error.hint) from error
    except Exception as error:
        if context.obj["debug"]:
            traceback.print_exc()
        raise TailorCommandError(
            f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}",
            "run again with --debug for the traceback",
        ) from error
