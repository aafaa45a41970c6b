"""``tailor table show | sql``: the warehouse's data, read-only, through ``open_warehouse``.

Both read what ``open_warehouse`` reads in the environment a run would have (``--env``, else
``$TAILOR_ENV``; ``$TAILOR_USER``, ``$TAILOR_SAMPLE``): ``team.asset`` is production's table
in prod; in dev it is your sandbox's table when your sandbox holds it, else production's, and
in sample mode only the sample, by the table's ``sample_by`` key. The rules live there.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from platform_lib.cli.support import env_option, guarded, json_option, print_table, say, wide_option
from platform_lib.environment.run_environment import ENV_VAR, RunEnvironment
from platform_lib.errors import TailorError, did_you_mean
from platform_lib.settings import warehouse_dir
from platform_lib.sql import column_types, quote_identifier
from platform_lib.warehouse.notebook import open_warehouse, readable_tables

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

READ_ONLY_STATEMENTS = ("SELECT", "EXPLAIN")
"""The statement types ``tailor sql`` runs (``SHOW``, ``DESCRIBE`` and ``SUMMARIZE`` are
SELECTs to DuckDB); anything else (CREATE, INSERT, COPY, ATTACH, SET, ...) is refused."""


@click.group()
def table() -> None:
    """One asset's table: its rows, its versions, an earlier version back."""


@table.command()
@click.argument("asset")
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(1), help="Rows to show."
)
@click.option("--where", help="A SQL predicate over the table's columns: \"region = 'north'\".")
@click.option("--columns", help="The columns to show, comma-separated (default: all).")
@env_option
@json_option
@wide_option
@click.pass_context
def show(
    context: click.Context,
    asset: str,
    limit: int,
    where: str | None,
    columns: str | None,
    env: str,
    as_json: bool,
    wide: bool,
) -> None:
    """Print ASSET's (team/name) rows, paged when taller than the terminal. In dev it reads
    your sandbox's table when there is one, else production's; with TAILOR_SAMPLE, only the
    sample (the first line, on stderr, says which)."""
    environment = guarded(context, lambda: _environment(env))
    chosen = [c.strip() for c in columns.split(",") if c.strip()] if columns else []

    def read() -> tuple[list[dict], bool]:
        with open_warehouse(environment=environment) as connection:
            relation = _relation(connection, asset, environment)
            _require_columns(connection, asset, relation, chosen)
            query = f"SELECT {_selected(chosen)} FROM {relation}"
            if where:
                query += f" WHERE ({where})"
            return _fetch(connection, f"{query} LIMIT {int(limit) + 1}", [], limit)

    hint = f"check --where: a SQL predicate over {asset}'s columns" if where else None
    _print_rows(*guarded(context, read, hint), limit, as_json, wide)


@click.command()
@click.argument("query")
@click.option(
    "--limit", default=100, show_default=True, type=click.IntRange(1), help="Rows to show at most."
)
@env_option
@json_option
@wide_option
@click.pass_context
def sql(
    context: click.Context, query: str, limit: int, env: str, as_json: bool, wide: bool
) -> None:
    """Run one read-only QUERY (SELECT, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN) over every team's
    tables, read as team.asset: in dev your sandbox's table when it holds one, else
    production's, and with TAILOR_SAMPLE only the sample (as a run reads them; production
    stays readable as team__prod.asset, your sandbox as team__dev_<you>.asset). Anything
    that would write is refused; the warehouse is attached read-only."""
    environment = guarded(context, lambda: _environment(env))
    say(f"env {environment.name}, {warehouse_dir()}: {_reading(environment)}")

    def run() -> tuple[list[dict], bool]:
        with open_warehouse(environment=environment) as connection:
            return _fetch(connection, query, [], limit)

    hint = "tables read as team.asset; tailor sql 'SHOW ALL TABLES' lists them"
    _print_rows(*guarded(context, run, hint), limit, as_json, wide)


def _environment(env: str) -> RunEnvironment:
    """The environment a run with ``--env`` would have (the sample, user and seed from
    the environment variables; a sample only in dev)."""
    os.environ[ENV_VAR] = env.lower()  # this command's process reads as such a run
    return RunEnvironment.current()


def _reading(environment: RunEnvironment) -> str:
    """What ``tailor sql`` reads as ``team.asset`` in ``environment``."""
    if not environment.is_dev:
        return "every team's tables as team.asset"
    sample = environment.sampling.describe()
    return (
        f"team.asset reads your sandbox's table (team__dev_{environment.user}.asset) when it "
        "holds one, else production's (team__prod.asset)"
        + (f", a {sample} sample by each table's sample_by" if environment.sampling.active else "")
    )


def _relation(
    connection: duckdb.DuckDBPyConnection, asset: str, environment: RunEnvironment
) -> str:
    """``asset`` (``team/name``) as the connection reads it, ``team.name``; says on stderr
    what that reads."""
    team, _, name = asset.partition("/")
    if not name or "/" in name:
        raise TailorError(f"{asset!r} is not an asset; give it as team/name.")
    readable = readable_tables(connection, environment)
    teams = sorted({known.partition("/")[0] for known in readable})
    if team not in teams:
        raise TailorError(
            f"{asset}: the warehouse has no team {team!r}.{did_you_mean(team, teams)}",
            f"teams with tables: {', '.join(teams) or 'none yet (materialize something)'}",
        )
    if asset not in readable:
        known = [table for table in readable if table.startswith(f"{team}/")]
        where = "your sandbox or production" if environment.is_dev else "production"
        raise TailorError(
            f"{asset} has no table in {where}.{did_you_mean(asset, known)}",
            f"{team}'s tables: {', '.join(known)}",
        )
    say(f"{asset} from {readable[asset]}")
    return f"{quote_identifier(team)}.{quote_identifier(name)}"


def _require_columns(
    connection: duckdb.DuckDBPyConnection, asset: str, relation: str, chosen: list[str]
) -> None:
    have = list(column_types(connection, relation))
    for column in chosen:
        if column not in have:
            raise TailorError(
                f"{asset} has no column {column!r}.{did_you_mean(column, have)}",
                f"its columns: {', '.join(have)}",
            )


def _selected(columns: list[str]) -> str:
    return ", ".join(map(quote_identifier, columns)) if columns else "*"


def _require_read_only(connection: duckdb.DuckDBPyConnection, query: str) -> None:
    """Refuse anything but one read-only statement, before it runs."""
    statements = connection.extract_statements(query)
    kinds = [statement.type.name for statement in statements]
    if len(kinds) != 1:
        raise TailorError(
            f"tailor sql runs one statement; this query has {len(kinds)}.",
            "run them one at a time",
        )
    if kinds[0] not in READ_ONLY_STATEMENTS:
        raise TailorError(
            f"tailor sql only reads; {_first_keyword(query, kinds[0])} statements are refused.",
            "a table changes only through a run of its asset (make dev, TAILOR_ENV=dev for "
            "your sandbox); read with SELECT",
        )


def _first_keyword(query: str, kind: str) -> str:
    """The keyword ``query`` starts with as its author wrote it (INSTALL, which DuckDB counts
    as a LOAD); ``kind``, DuckDB's statement type, when that is WITH or none."""
    import duckdb

    offsets = [
        offset for offset, token in duckdb.tokenize(query) if token != duckdb.token_type.comment
    ]
    if not offsets:
        return kind
    word = query[offsets[0] :].split(maxsplit=1)[0].upper()
    return kind if word == "WITH" or not word.isalpha() else word


def _print_rows(rows: list[dict], more: bool, limit: int, as_json: bool, wide: bool) -> None:
    print_table(rows, as_json, wide=wide, page=True)
    if more:
        say(f"(the first {limit} rows; --limit N shows more)")


def _fetch(
    connection: duckdb.DuckDBPyConnection, query: str, parameters: list, limit: int
) -> tuple[list[dict], bool]:
    """Up to ``limit`` rows of ``query`` as dicts, and whether there were more."""
    _require_read_only(connection, query)
    result = connection.execute(query, parameters)
    names = [column[0] for column in result.description]
    rows = result.fetchmany(int(limit) + 1)
    return [dict(zip(names, row, strict=True)) for row in rows[:limit]], len(rows) > limit
