"""A throwaway PostgreSQL holding shared lakes' catalogs, with a role per team, for tests.

One cluster per test session (on loopback, a port of its own); each test that uses it gets
its teams' schemas fresh, with the roles and grants ``tailor deploy render`` writes.
"""

from __future__ import annotations

import os
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from platform_lib.deploy.lake_roles import roles_sql
from platform_lib.deploy.postgres import LocalPostgres
from platform_lib.settings import LAKE_DATABASE, LAKE_ENV, READER_ROLE, lake_role
from platform_lib.sql import quote_identifier


@dataclass
class LakeServer:
    """The cluster, and the teams whose roles and schemas it has."""

    postgres: LocalPostgres
    teams: list[str] = field(default_factory=list)

    def admin(self, database: str = LAKE_DATABASE):
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.postgres.port, user=self.postgres.user,
            password=self.postgres.password, dbname=database,
        )  # fmt: skip
        connection.autocommit = True
        return connection

    def password(self, role: str) -> str:
        return f"{role}-secret"

    def env(self, role: str, data: Path | str) -> dict[str, str]:
        """The ``TAILOR_LAKE_*`` of a process connecting as ``role``, data at ``data``."""
        values = {
            "data": str(data), "hostname": "127.0.0.1", "port": str(self.postgres.port),
            "db_name": LAKE_DATABASE, "username": role, "password": self.password(role),
        }  # fmt: skip
        return {LAKE_ENV[name]: value for name, value in values.items()}

    def fresh(self, teams: list[str]) -> None:
        """The rendered roles SQL for ``teams`` applied, each team's schema new and empty,
        and each role's password set (``password(role)``)."""
        with closing(self.admin()) as connection, connection.cursor() as cursor:
            for team in teams:
                cursor.execute(f"DROP SCHEMA IF EXISTS {quote_identifier(team)} CASCADE")
            cursor.execute(roles_sql(teams))
            for role in [*map(lake_role, teams), READER_ROLE]:
                cursor.execute(f"ALTER ROLE {role} PASSWORD %s", (self.password(role),))


def start_lake_server(folder: Path, port: int) -> LakeServer:
    """A started cluster in ``folder`` with the lake database."""
    postgres = LocalPostgres(folder, port=port).start()
    server = LakeServer(postgres)
    with closing(server.admin("postgres")) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (LAKE_DATABASE,))
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {LAKE_DATABASE}")
    with closing(server.admin()) as connection, connection.cursor() as cursor:
        cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    return server


def server_folder() -> Path:
    """Under /var/tmp: as root the server runs as ``postgres``, which must reach it."""
    return Path("/var/tmp") / f"tailor-test-lake-{os.getpid()}"
