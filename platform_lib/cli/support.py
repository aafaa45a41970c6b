"""What every ``tailor`` command shares: the repository it works on, tables printed for a
terminal (rich) or as JSON, progress while it works, and errors reported as one line and a
hint."""

import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import click
from click.core import ParameterSource

from platform_lib.environment.run_environment import ENV_VAR, ENVIRONMENTS
from platform_lib.errors import TailorError
from platform_lib.settings import REPO_ROOT

PIPED_WIDTH = 120
"""The width tables wrap within when stdout is not a terminal and ``$COLUMNS`` is unset."""
UNBOUNDED_WIDTH = 100_000
"""The width ``--wide`` tables get: every row on one line, nothing cut."""


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


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
env_option = click.option(
    "--env",
    type=click.Choice(ENVIRONMENTS, case_sensitive=False),
    envvar=ENV_VAR,
    default="prod",
    show_default=True,
    help=f"prod, or dev: your sandboxes and make dev TAILOR_ENV=dev's instance (${ENV_VAR}).",
)
wide_option = click.option(
    "--wide", is_flag=True, help="One line per row, however wide (default: fit the terminal)."
)


def env_from_flag(context: click.Context) -> bool:
    """Whether ``--env`` was given on the command line (not taken from the environment)."""
    return context.get_parameter_source("env") is ParameterSource.COMMANDLINE


def print_table(
    rows: list[dict],
    as_json: bool,
    *,
    wide: bool = False,
    notes: dict[str, str] | None = None,
    page: bool = False,
) -> None:
    """Print ``rows`` (dicts with the same keys) as JSON, or as a table that fits the
    terminal (``wide``: one line per row). In the table a list reads one item a line (joined
    by commas when wide) and a missing value as ``-``; cells wrap at spaces, a word longer
    than its column ends in an ellipsis, and no column is narrower than its header (the
    first, which names the row, is never cut); ``notes`` explain columns under it. ``page``:
    a table taller than the terminal goes through the pager."""
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=_json_value))
        return
    if not rows:
        click.echo("(nothing)")
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    cells = [[_cell(value, wide) for value in row.values()] for row in rows]
    headers = list(rows[0])
    widths = None if wide else _fitted_widths(headers, cells, _console_width())
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), collapse_padding=True
    )
    for index, column in enumerate(headers):
        width = widths[index] if widths else None
        table.add_column(column, overflow="ellipsis", no_wrap=wide, width=width)
    for row in cells:
        table.add_row(*map(Text, row))
    if notes:
        table.caption = "; ".join(f"{column}: {note}" for column, note in notes.items())
        table.caption_justify = "left"
    _echo_rendered(table, wide=wide, page=page)


COLUMN_GAP = 2
"""The spaces between two columns of a table."""


def _fitted_widths(headers: list[str], cells: list[list[str]], width: int) -> list[int]:
    """Column widths within ``width``: each column as wide as its widest line, the widest
    columns narrowed alike until the table fits, none below its header (the first column
    never narrowed)."""
    from rich.cells import cell_len

    natural = [
        max(cell_len(line) for text in [header, *column] for line in text.splitlines() or [""])
        for header, column in zip(headers, zip(*cells, strict=True), strict=True)
    ]
    floors = [natural[0], *(cell_len(header) for header in headers[1:])]
    room = width - COLUMN_GAP * (len(headers) - 1)
    cap = max(natural)
    while cap > 1 and sum(max(f, min(n, cap)) for f, n in zip(floors, natural, strict=True)) > room:
        cap -= 1
    return [max(f, min(n, cap)) for f, n in zip(floors, natural, strict=True)]


def _cell(value: object, wide: bool) -> str:
    """A value as table text: a list one item a line (one line, comma-joined, when wide)."""
    if value is None or value == []:
        return "-"
    if isinstance(value, list | tuple):
        return (", " if wide else "\n").join(map(str, value))
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    return str(value)


def _json_value(value: object) -> object:
    """What ``json`` cannot write itself: timestamps as ISO 8601, decimals as numbers."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _console_width() -> int:
    """The terminal's width; ``$COLUMNS`` or PIPED_WIDTH when stdout is not a terminal."""
    from rich.console import Console

    console = Console()
    if console.is_terminal:
        return console.width
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else PIPED_WIDTH


def _echo_rendered(renderable, *, wide: bool, page: bool) -> None:
    """``renderable`` through a rich console sized to the terminal (to ``$COLUMNS`` or
    PIPED_WIDTH when stdout is not one), without trailing blanks; paged when ``page`` and
    it is taller than the terminal."""
    from rich.console import Console

    console = Console(highlight=False, width=UNBOUNDED_WIDTH if wide else _console_width())
    with console.capture() as captured:
        console.print(renderable)
    text = "\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n"
    if page and console.is_terminal and text.count("\n") > console.height:
        click.echo_via_pager(text, color=True)
    else:
        click.echo(text, nl=False, color=console.is_terminal)


@contextmanager
def working(first: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr saying what the command is doing and for how long, updated by
    calling what this yields; shown only when stderr is a terminal (pipes and ``--json``
    stay clean) and gone when the work is done."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda message: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(first, total=None)
        yield lambda message: progress.update(task, description=message, refresh=True)


def say(message: str) -> None:
    """A line for the person, on stderr, so stdout stays the command's result."""
    click.echo(message, err=True)


def guarded(context: click.Context, action, hint: str | None = None):
    """``action()``, its failure reported as one line and a hint: a TailorError's own, a
    DuckDB error's first line and suggestion (never its SQL) with ``hint``, anything else's
    first line."""
    try:
        return action()
    except click.ClickException:
        raise
    except TailorError as error:
        raise TailorCommandError(str(error), error.hint) from error
    except Exception as error:
        if context.obj["debug"]:
            traceback.print_exc()
        lines = str(error).splitlines() or [""]
        first = lines[0]
        if _is_duckdb_error(error):  # its first line, and its suggestion; never its SQL
            suggestion = [line for line in lines if line.startswith("Did you mean")][:1]
            raise TailorCommandError(
                " ".join([first, *suggestion]),
                hint or "run again with --debug for the whole message",
            ) from error
        raise TailorCommandError(
            f"{type(error).__name__}: {first}", hint or "run again with --debug for the traceback"
        ) from error


def _is_duckdb_error(error: Exception) -> bool:
    import duckdb

    return isinstance(error, duckdb.Error)
