"""A lake whose catalog is a schema in PostgreSQL, shared by every host of a deployment.

When ``TAILOR_LAKE_DATA`` is set, each team's lake keeps its catalog in the schema named like
the team in the lake database (``TAILOR_LAKE_DB`` on ``TAILOR_LAKE_HOST``, by default the
deployment's PostgreSQL) and its data files in ``<TAILOR_LAKE_DATA>/<team>/``, a shared folder
or an object-store URL. A process connects as its team's role (``TAILOR_LAKE_USER``,
``TAILOR_LAKE_PASSWORD``), which owns its team's schema and may only read the others': the
isolation is PostgreSQL's, not Tailor's code. The writer lock and pins are PostgreSQL
advisory locks, so they hold across hosts and end with the session of a host that dies.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from platform_lib.errors import WarehouseError
from platform_lib.settings import LAKE_DATABASE, LAKE_ENV, PG_ENV, lake_role
from platform_lib.sql import quote_identifier, quote_literal
from platform_lib.warehouse.commits import FIRST_DELAY, MAX_DELAY, first_line
from platform_lib.warehouse.lake import attach_sql, unwritable_folder
from platform_lib.warehouse.object_store import ObjectStore

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb
    import psycopg2.extensions

CATALOG_TABLE = "ducklake_metadata"
"""A table every DuckLake catalog has: a schema holding it is a team's lake."""


@dataclass(frozen=True)
class LakeServer:
    """The PostgreSQL holding the lakes' catalogs, as one role sees it, and the data's root."""

    host: str
    port: int
    database: str
    user: str
    password: str = field(repr=False)
    data: str
    """The root of every team's data files, ending in ``/``."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LakeServer | None:
        """The shared lake of the environment; None when ``TAILOR_LAKE_DATA`` is unset."""
        env = os.environ if env is None else env
        data = env.get(LAKE_ENV["data"], "").strip()
        if not data:
            return None

        def setting(name: str, default: str | None = None) -> str:
            value = env.get(LAKE_ENV[name]) or env.get(PG_ENV.get(name, ""), "") or default
            if not value:
                raise WarehouseError(
                    f"{LAKE_ENV['data']} is set ({data}), so the lake is shared, but "
                    f"{LAKE_ENV[name]} is not (nor {PG_ENV[name]}): set it to the lake "
                    "catalog's PostgreSQL (docs/deployment.md, 'The shared lake')."
                )
            return value

        if ObjectStore.of(data) is None:  # a folder (an unknown URL scheme is refused)
            data = os.path.abspath(data)
        return cls(
            host=setting("hostname"),
            port=int(setting("port", "5432")),
            database=env.get(LAKE_ENV["db_name"]) or LAKE_DATABASE,
            user=setting("username"),
            password=setting("password"),
            data=data.rstrip("/") + "/",
        )

    def __str__(self) -> str:
        return f"PostgreSQL {self.host}:{self.port} (database {self.database}, role {self.user})"

    @property
    def secret(self) -> str:
        """The name of the DuckDB secret holding this role's credentials (in memory only)."""
        identity = f"{self.host}:{self.port}/{self.database}/{self.user}/{self.password}"
        return f"tailor_lake_{hashlib.sha256(identity.encode()).hexdigest()[:16]}"

    def connect(self) -> psycopg2.extensions.connection:
        """A connection of this role to the lake database, or an error naming both."""
        import psycopg2

        try:
            connection = psycopg2.connect(
                host=self.host, port=self.port, dbname=self.database, user=self.user,
                password=self.password, connect_timeout=10,
            )  # fmt: skip
        except psycopg2.OperationalError as error:
            raise self.refused(error) from error
        connection.autocommit = True
        return connection

    def refused(self, error: BaseException) -> WarehouseError:
        """The error for this server refusing a connection, saying which setting to fix."""
        said = first_line(error)
        if "password authentication failed" in said or "no password supplied" in said:
            fix = f"set {LAKE_ENV['password']} to role {self.user}'s password (its team's secret)"
        elif "does not exist" in said:
            fix = (
                "apply the SQL `tailor deploy render` writes (lake/roles.sql) as an administrator, "
                f"and check {LAKE_ENV['username']} and {LAKE_ENV['db_name']}"
            )
        else:
            fix = f"check that it runs and that {LAKE_ENV['hostname']}/{LAKE_ENV['port']} name it"
        return WarehouseError(
            f"The lake's catalog server, {self}, refused the connection: {said}. Nothing was "
            f"read or written; {fix}."
        )

    def teams(self) -> list[str]:
        """Every team whose lake catalog is in the database: the schemas holding DuckLake's
        tables (PostgreSQL's own catalog lists them to every role, granted or not)."""
        with closing(self.connect()) as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relname = %s ORDER BY 1",
                (CATALOG_TABLE,),
            )
            return [team for (team,) in cursor.fetchall()]


@dataclass(frozen=True)
class SharedLake:
    """The lake of ``team`` on the shared ``server``."""

    team: str
    server: LakeServer

    @property
    def name(self) -> str:
        return self.team

    @property
    def data_path(self) -> str:
        return f"{self.server.data}{self.team}/"

    def __str__(self) -> str:
        return f"schema {self.team} of {self.server}, data in {self.data_path}"

    def exists(self) -> bool:
        return self.team in self.server.teams()

    def prepare(self, connection: duckdb.DuckDBPyConnection) -> None:
        """The role's credentials as a DuckDB secret in ``connection``'s instance (memory), and
        the object store's, from the environment, when the data files are on one."""
        server = self.server
        store = ObjectStore.of(server.data)
        if store is not None:
            store.prepare(connection)
        connection.execute(
            f"CREATE SECRET IF NOT EXISTS {server.secret} (TYPE postgres, "
            f"HOST {quote_literal(server.host)}, PORT {server.port}, "
            f"DATABASE {quote_literal(server.database)}, USER {quote_literal(server.user)}, "
            f"PASSWORD {quote_literal(server.password)})"
        )

    def attach_sql(self, alias: str, *, read_only: bool, version: int | None = None) -> str:
        extra = (
            f"METADATA_SCHEMA {quote_literal(self.team)}",
            f"METADATA_PARAMETERS MAP {{'SECRET': {quote_literal(self.server.secret)}}}",
        )
        target = f"ducklake:postgres:dbname={self.server.database}"
        return attach_sql(target, self.data_path, alias, read_only=read_only, version=version,
                          extra=extra)  # fmt: skip

    def create(self, connection: duckdb.DuckDBPyConnection, wait_seconds: float) -> None:
        """Create DuckLake's tables in the team's schema (which the roles' SQL made and the
        team's role owns), once, under the lake's writer lock."""
        if self.exists():
            return
        with self.writer_lock(wait_seconds):
            if self.exists():
                return
            with closing(self.server.connect()) as pg, pg.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.team,))
                if cursor.fetchone() is None:
                    raise WarehouseError(
                        f"The lake database has no schema {self.team!r} for team {self.team}'s "
                        f"catalog ({self.server}): apply the SQL `tailor deploy render` wrote "
                        "(lake/roles.sql) as an administrator, then re-run."
                    )
            self.prepare(connection)
            connection.execute(self.attach_sql("tailor_new", read_only=False))
            connection.execute("DETACH tailor_new")

    @contextmanager
    def writer_lock(self, wait_seconds: float, *, shared: bool = False) -> Iterator[None]:
        """An advisory lock of the lake database, held by this process's session."""
        take = "pg_try_advisory_lock_shared" if shared else "pg_try_advisory_lock"
        deadline, delay = time.monotonic() + wait_seconds, FIRST_DELAY
        with closing(self.server.connect()) as connection, connection.cursor() as cursor:
            while True:
                cursor.execute(f"SELECT {take}(%s, 0)", (self._key("writer"),))
                if cursor.fetchone()[0]:
                    break
                if time.monotonic() >= deadline:
                    raise WarehouseError(
                        f"Waited {wait_seconds:.0f}s for the writer lock of team {self.team}'s "
                        f"lake ({self.server}); another process writing it holds it. Nothing "
                        "was changed. Re-run."
                    )
                time.sleep(random.uniform(delay / 2, delay))
                delay = min(delay * 2, MAX_DELAY)
            yield  # the lock ends with the session, also if this host dies

    @contextmanager
    def pin(self, version: int) -> Iterator[None]:
        """A shared advisory lock on (the lake, ``version``), seen by upkeep on any host."""
        with closing(self.server.connect()) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock_shared(%s, %s)", (self._key("pin"), version))
            yield

    def pinned_versions(self) -> set[int]:
        with closing(self.server.connect()) as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND "
                "granted AND objsubid = 2 AND classid = %s AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())",
                (self._key("pin") & 0xFFFFFFFF,),
            )
            return {int(version) for (version,) in cursor.fetchall()}

    def refusal(self, error: BaseException) -> WarehouseError | None:
        """Writing a lake this role does not own, reading one it was not granted, or a data
        path that refused the write (an object store's credential, a folder's permissions)."""
        store = ObjectStore.of(self.server.data)
        refused = (
            store.refusal(error, self.team)
            if store is not None
            else unwritable_folder(self, error, LAKE_ENV["data"])
        )
        if refused is not None:
            return refused
        said, role, owner = first_line(error), self.server.user, lake_role(self.team)
        if "permission denied" not in str(error):
            return None
        schema = quote_identifier(self.team)
        if "permission denied for schema" in str(error) and role != owner:
            grant = f"GRANT USAGE ON SCHEMA {schema} TO {role}"
        elif role != owner:
            grant = None
        else:
            grant = f"GRANT ALL ON ALL TABLES IN SCHEMA {schema} TO {role}"
        if grant is None:
            return WarehouseError(
                f"Role {role} may not write team {self.team}'s lake ({self}): only its team's "
                f"role {owner} may, and PostgreSQL refused ({said}). Nothing was written; write "
                f"{self.team}'s tables from {self.team}'s code location."
            )
        return WarehouseError(
            f"Role {role} lacks a grant on team {self.team}'s lake ({self}): {said}. It needs "
            f"`{grant}` (and SELECT on the schema's tables): apply the SQL `tailor deploy "
            "render` wrote (lake/roles.sql) as an administrator. Nothing was written."
        )

    def unopenable(self, error: BaseException, read_only: bool) -> WarehouseError:
        refused = self.refusal(error)
        if refused is not None:
            return refused
        if "Unable to connect to Postgres" in str(error):
            return self.server.refused(error)
        return WarehouseError(
            f"Team {self.team}'s lake ({self}) could not be opened: {first_line(error)}. Its "
            "tables cannot be read or written until then."
        )

    def _key(self, purpose: str) -> int:
        """The advisory lock key of ``purpose`` for this lake: a signed 32-bit number."""
        value = zlib.crc32(f"tailor:{purpose}:{self.team}".encode())
        return value - (1 << 32) if value >= 1 << 31 else value
