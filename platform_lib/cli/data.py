"""``tailor table show | sql``: the warehouse's data, read-only, through ``open_warehouse``.

Both read the environment as a run would (``--env``, else ``$TAILOR_ENV``; ``$TAILOR_USER``,
``$TAILOR_SAMPLE``): in prod every team's tables, as ``team.asset``; in dev your sandboxes
too, as ``team__dev_<you>.asset``. ``table show`` reads an asset as a dev run reads an input:
from your sandbox when it holds the table, else from production, and in sample mode only
the sample, by the table's ``sample_by`` key. ``sql`` runs your query as written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import click

from platform_lib.cli.support import env_option, guarded, json_option, print_table, say, wide_option
from platform_lib.environment.run_environment import ENV_VAR, RunEnvironment
from platform_lib.errors import TailorError, did_you_mean
from platform_lib.settings import warehouse_dir
from platform_lib.sql import column_types, quote_identifier, table_names
from platform_lib.warehouse.catalog import table_records
from platform_lib.warehouse.layout import team_databases
from platform_lib.warehouse.notebook import open_warehouse

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

READ_ONLY_STATEMENTS = ("SELECT", "EXPLAIN")
"""The statement types ``tailor sql`` runs (``SHOW``, ``DESCRIBE`` and ``SUMMARIZE`` are
SELECTs to DuckDB); anything else (CREATE, INSERT, COPY, ATTACH, SET, ...) is refused."""


@click.group()
def table() -> None:
    """One asset's table: its rows."""


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
        with open_warehouse(sandboxes_of=_sandboxes_of(environment)) as connection:
            source = _source(connection, asset, environment)
            say(source.describe())
            _require_columns(connection, source, chosen)
            conditions = [*source.conditions, *([(f"({where})", [])] if where else [])]
            query = f"SELECT {_selected(chosen)} FROM {source.relation}"
            if conditions:
                query += " WHERE " + " AND ".join(condition for condition, _ in conditions)
            parameters = [value for _, values in conditions for value in values]
            return _fetch(connection, f"{query} LIMIT {int(limit) + 1}", parameters, limit)

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
    tables, read as team.asset; in dev your sandboxes too, as team__dev_<you>.asset.
    Anything that would write is refused; the warehouse is attached read-only."""
    environment = guarded(context, lambda: _environment(env))
    sandboxes = _sandboxes_of(environment)
    say(
        f"env {environment.name}, {warehouse_dir()}: production as team.asset"
        + (f", your sandboxes as team__dev_{sandboxes}.asset" if sandboxes else "")
        + (" (TAILOR_SAMPLE is not applied to SQL)" if environment.sampling.active else "")
    )

    def run() -> tuple[list[dict], bool]:
        with open_warehouse(sandboxes_of=sandboxes) as connection:
            return _fetch(connection, query, [], limit)

    hint = "tables read as team.asset; tailor sql 'SHOW ALL TABLES' lists them"
    _print_rows(*guarded(context, run, hint), limit, as_json, wide)


@dataclass(frozen=True)
class _Source:
    """Where ``table show`` reads an asset: the attached table, and the sample it keeps."""

    asset: str
    namespace: str
    table: str
    place: str
    conditions: tuple[tuple[str, list], ...] = ()
    sample: str = ""

    @property
    def relation(self) -> str:
        return f"{quote_identifier(self.namespace)}.{quote_identifier(self.table)}"

    def describe(self) -> str:
        return f"{self.asset}: {self.namespace}.{self.table} ({self.place}){self.sample}"


def _environment(env: str) -> RunEnvironment:
    """The environment a run with ``--env`` would have (the sample, user and seed from
    the environment variables; a sample only in dev)."""
    os.environ[ENV_VAR] = env.lower()  # this command's process reads as such a run
    return RunEnvironment.current()


def _sandboxes_of(environment: RunEnvironment) -> str | None:
    return environment.user if environment.is_dev else None


def _source(
    connection: duckdb.DuckDBPyConnection, asset: str, environment: RunEnvironment
) -> _Source:
    """``asset`` as a run in ``environment`` reads it: your sandbox's table in dev when it
    has one, else production's; in sample mode only its sample, by its ``sample_by``."""
    team, _, name = asset.partition("/")
    teams = list(team_databases(warehouse_dir()))
    if not name or "/" in name:
        raise TailorError(f"{asset!r} is not an asset; give it as team/name.")
    if team not in teams:
        raise TailorError(
            f"{asset}: the warehouse has no team {team!r}.{did_you_mean(team, teams)}",
            f"teams with tables: {', '.join(teams) or 'none yet (materialize something)'}",
        )
    places = [(team, "production")]
    if environment.is_dev:
        places.insert(0, (environment.sandbox(team), "your sandbox"))
    attached = {row[0] for row in connection.execute("SHOW DATABASES").fetchall()}
    held = {
        namespace: table_names(connection, database=namespace)
        for namespace, _ in places
        if namespace in attached
    }
    for namespace, place in places:
        if name in held.get(namespace, []):
            return _sampled(connection, _Source(asset, namespace, name, place), environment)
    known = sorted({f"{team}/{table}" for tables in held.values() for table in tables})
    where = "your sandbox or production" if environment.is_dev else "production"
    raise TailorError(
        f"{asset} has no table in {where}.{did_you_mean(asset, known)}",
        f"{team}'s tables: {', '.join(known) or 'none yet'}",
    )


def _sampled(
    connection: duckdb.DuckDBPyConnection, source: _Source, environment: RunEnvironment
) -> _Source:
    """``source`` restricted to the run's sample of it, when sample mode samples it."""
    fraction = environment.sampling.fraction_for(source.asset)
    if not fraction:
        return source
    record = table_records(connection, source.namespace).get(source.table)
    if record is None or not record.sample_by:
        return replace(source, sample=", whole: it declares no sample_by key to sample by")
    condition = environment.sampling.predicate(record.sample_by, fraction)
    return replace(
        source,
        conditions=(condition,),
        sample=f", a {fraction:g} sample by {record.sample_by}",
    )


def _require_columns(
    connection: duckdb.DuckDBPyConnection, source: _Source, chosen: list[str]
) -> None:
    have = list(column_types(connection, source.relation))
    for column in chosen:
        if column not in have:
            raise TailorError(
                f"{source.asset} has no column {column!r}.{did_you_mean(column, have)}",
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
            f"tailor sql only reads; this is a {kinds[0]} statement, refused.",
            "a table changes only through a run of its asset (make dev, TAILOR_ENV=dev for "
            "your sandbox); read with SELECT",
        )


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
