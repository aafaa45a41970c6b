"""open_warehouse: the whole warehouse, read-only, for notebooks and ad-hoc SQL, read as a
run of this process would read its inputs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import AssetKey

from platform_lib.environment.as_of import AsOf, AsOfValue
from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.environment.sandbox_naming import sandbox_team
from platform_lib.settings import warehouse_dir
from platform_lib.sql import quote_identifier, quote_literal, table_names, with_literals
from platform_lib.warehouse.connection import connect_lakes
from platform_lib.warehouse.input_source import input_location, input_sample
from platform_lib.warehouse.lake import Lake
from platform_lib.warehouse.layout import sandbox_lakes, table_for, team_lakes
from platform_lib.warehouse.past import lake_versions
from platform_lib.warehouse.records import table_records

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb
    import pandas

PRODUCTION_MARK = "__prod"
"""In dev, production's database of a team is attached as ``<team>__prod``."""
PRODUCTION = "production"
"""What a table read from production's database is described as."""


@contextmanager
def open_warehouse(
    root: Path | str | None = None,
    sandboxes_of: str | None = None,
    environment: RunEnvironment | None = None,
    as_of: AsOfValue | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only view of the whole warehouse for notebooks and ad-hoc SQL, in which
    ``team.asset`` reads what a run's input ``team/asset`` reads in ``environment`` (default:
    this process's, from ``TAILOR_ENV``, ``TAILOR_USER`` and ``TAILOR_SAMPLE``).

    In prod every team database is attached read-only under its team's name. In dev
    ``team.asset`` is a view of your sandbox's table when your sandbox
    (``team__dev_<you>``) holds it, else of production's (attached as ``team__prod``), and in
    sample mode of only the sample a run reads, by the table's ``sample_by`` key; both
    databases stay readable by those names, and each view's comment says what it reads
    (``SELECT schema_name, view_name, comment FROM duckdb_views() WHERE NOT internal``).
    ``sandboxes_of="alice"`` attaches Alice's sandboxes too, as ``team__dev_alice``.
    Readers never hold up a run's writes (the lakes are read from their files), and each
    query reads the latest committed version of its tables. The views live in the
    connection; use it inside a ``with`` block::

        from platform_lib import open_warehouse

        with open_warehouse() as warehouse:
            frame = warehouse.sql("SELECT * FROM merchandising.inventory").df()

    ``as_of`` (default: the environment's ``TAILOR_AS_OF``) reads production as it was at a
    past moment: a time, a run id, or one team's version (``"merchandising@12"``); see
    ``environment.as_of``. Sandboxes are read as they are, as a dev run with ``TAILOR_AS_OF``
    reads them; a team whose lake did not exist yet then has no tables.
    """
    root = Path(root) if root else warehouse_dir()
    environment = environment or RunEnvironment.current()
    if as_of is not None:
        environment = replace(environment, as_of=AsOf.parse(as_of))
    production, versions = team_lakes(root), {}
    if environment.as_of:  # each lake as it was then; one not made yet is left out
        versions = lake_versions(environment.as_of, root)
        production = {team: production[team] for team in versions}
    mark = PRODUCTION_MARK if environment.is_dev else ""
    databases = {f"{team}{mark}": path for team, path in production.items()}
    sandboxes = sandbox_lakes(root, environment.user) if environment.is_dev else {}
    databases |= sandboxes
    if sandboxes_of:
        databases |= sandbox_lakes(root, sandboxes_of)
    connection = connect_lakes(databases, {f"{t}{mark}": v for t, v in versions.items()})
    try:
        if environment.is_dev:
            for team in sorted({*production, *map(sandbox_team, sandboxes)}):
                _create_input_views(connection, root, team, databases, environment, versions)
        yield connection
    finally:
        connection.close()


def readable_tables(
    connection: duckdb.DuckDBPyConnection, environment: RunEnvironment
) -> dict[str, str]:
    """What each ``team.asset`` of an ``open_warehouse`` connection in ``environment`` reads,
    by ``team/asset``: ``production``, or (in dev) its view's comment, such as
    ``your sandbox (merchandising__dev_ada), a 0.2 sample by sku``."""
    if environment.is_dev:
        rows = connection.execute(
            "SELECT schema_name || '/' || view_name, comment FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal ORDER BY ALL"
        ).fetchall()
        return dict(rows)
    lakes = "SELECT database_name FROM duckdb_databases() WHERE type = 'ducklake'"
    teams = [name for (name,) in connection.execute(lakes).fetchall()]
    return {
        f"{team}/{table}": PRODUCTION
        for team in teams
        if sandbox_team(team) == team
        for table in table_names(connection, database=team)
    }


def warehouse_tables(
    warehouse: duckdb.DuckDBPyConnection, environment: RunEnvironment | None = None
) -> pandas.DataFrame:
    """The tables of an ``open_warehouse`` connection as ``team.asset`` reads them: one row
    per table, with its ``team``, ``asset`` and what it ``reads`` (``production``, or in dev
    your sandbox or production, and the sample). ``environment`` is the one the connection
    was opened in (default: this process's)::

        with open_warehouse() as warehouse:
            tables = warehouse_tables(warehouse)
    """
    import pandas as pd

    readable = readable_tables(warehouse, environment or RunEnvironment.current())
    rows = sorted((*name.split("/", 1), reads) for name, reads in readable.items())
    return pd.DataFrame(rows, columns=["team", "asset", "reads"])


def _create_input_views(
    connection: duckdb.DuckDBPyConnection,
    root: Path,
    team: str,
    attached: dict[str, Lake],
    environment: RunEnvironment,
    versions: dict[str, int],
) -> None:
    """``team.<table>`` for each of ``team``'s tables in production or your sandbox (both
    among the ``attached`` databases, production at its version in ``versions`` when read as
    of a past moment): a view of what a dev run's input reads (``input_source``), in the
    connection's own catalog."""
    held = {
        namespace: table_names(connection, database=namespace)
        for namespace in (f"{team}{PRODUCTION_MARK}", environment.sandbox(team))
        if namespace in attached
    }
    records = {namespace: table_records(connection, namespace) for namespace in held}
    in_sandbox = held.get(environment.sandbox(team), [])
    connection.execute(f"CREATE SCHEMA {quote_identifier(team)}")
    for table in sorted({name for tables in held.values() for name in tables}):
        location = input_location(
            table_for(AssetKey([team, table]), root),
            environment,
            lambda sandboxed: sandboxed.table in in_sandbox,
            lambda production: versions[production.team],
        )
        namespace = location.sandbox or f"{team}{PRODUCTION_MARK}"
        sample = input_sample(f"{team}/{table}", records[namespace].get(table), environment)
        query = f"SELECT * FROM {quote_identifier(namespace)}.main.{location.sql}"
        if sample.condition:
            query += f" WHERE {with_literals(*sample.condition)}"
        view = f"{quote_identifier(team)}.{location.sql}"
        place = f"your sandbox ({namespace})" if location.sandbox else f"{PRODUCTION} ({namespace})"
        if location.version is not None:
            place += f" as of {environment.as_of.says()}, version {location.version}"
        connection.execute(f"CREATE VIEW {view} AS {query}")
        connection.execute(f"COMMENT ON VIEW {view} IS {quote_literal(place + sample.describe())}")
