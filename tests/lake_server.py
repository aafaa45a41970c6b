"""A throwaway PostgreSQL holding shared lakes' catalogs, with a role per team, for tests.

One cluster per test session (on loopback, a port of its own); each test that uses it gets
its teams' schemas fresh. The roles and grants are the ones ``tailor deploy render`` writes.
"""

from __future__ import annotations

import os
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from platform_lib.deploy.postgres import LocalPostgres
from platform_lib.settings import LAKE_DATABASE, LAKE_ENV, READER_ROLE, lake_role


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
        """Roles for ``teams`` and the reader, and each team's schema new and empty."""
        with closing(self.admin()) as connection, connection.cursor() as cursor:
            for role in [*map(lake_role, teams), READER_ROLE]:
                cursor.execute(
                    "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                    f"'{role}') THEN CREATE ROLE {role} LOGIN; END IF; END$$"
                )
                cursor.execute(f"ALTER ROLE {role} PASSWORD %s", (self.password(role),))
            for team in teams:
                owner = lake_role(team)
                cursor.execute(f"DROP SCHEMA IF EXISTS {team} CASCADE")
                cursor.execute(f"CREATE SCHEMA {team} AUTHORIZATION {owner}")
                readers = [lake_role(t) for t in teams if t != team] + [READER_ROLE]
                for reader in readers:
                    cursor.execute(f"GRANT USAGE ON SCHEMA {team} TO {reader}")
                    cursor.execute(
                        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {team} "
                        f"GRANT SELECT ON TABLES TO {reader}"
                    )


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
