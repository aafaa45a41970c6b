"""The shared lake on the single-host profile's PostgreSQL, made ready by ``tailor deploy up``
before anything starts: the lake's database created when missing, the rendered
``lake/roles.sql`` applied as the deployment's ``TAILOR_PG_*`` role, and every lake role's
password set.

A role's password is ``TAILOR_LAKE_PASSWORD_<TEAM>`` (``..._READER`` for ``tailor_reader``)
when given; on Tailor's own cluster, one generated once and kept beside the cluster's own
password file (``<role>.password``, mode 0600); on a server of the operator's own, a team's
is required (its code server connects with it) and the reader's is left to the operator.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import encrypt_password

from platform_lib.deploy.lake_roles import READER, password_variable, team_role
from platform_lib.deploy.postgres import admin_connection, create_database
from platform_lib.deploy.settings import PG_ENV
from platform_lib.errors import TailorError

UNPASSABLE = ("'", '"', "\n", "\x00")
"""What Supervisor's ``environment=`` cannot carry through to a code server intact."""


class LakeSetupError(TailorError):
    """The shared lake's database, roles or passwords could not be set up; nothing started."""


def prepare_lake(
    env: dict[str, str],
    database: str,
    teams: list[str],
    roles_sql: str,
    password_folder: Path | None,
) -> dict[str, str]:
    """Make the lake ready on the server of ``env``'s ``TAILOR_PG_*`` and return each team's
    ``TAILOR_LAKE_PASSWORD_<TEAM>``, for Supervisor's environment. ``password_folder`` is
    where Tailor's own cluster keeps its password (None for a server of the operator's)."""
    passwords = lake_passwords(env, teams, password_folder)
    with _as_admin(env, database, "create the lake's database") as connection:
        create_database(connection, database)
    with _as_admin(env, database, "apply lake/roles.sql", connect_to=database) as connection:
        _apply(connection, roles_sql, passwords)
    return {password_variable(team): passwords[team] for team in teams}


def lake_passwords(
    env: dict[str, str], teams: list[str], password_folder: Path | None
) -> dict[str, str]:
    """Each lake role's password by team (``reader`` too, when known), or an error naming
    every team whose password is missing or cannot pass through Supervisor."""
    passwords, missing = {}, []
    for team in [*sorted(teams), READER]:
        variable = password_variable(team)
        if env.get(variable):
            passwords[team] = _passable(variable, env[variable])
        elif password_folder is not None:
            passwords[team] = _kept_password(password_folder / f"{team_role(team)}.password")
        elif team != READER:  # the reader's own password is the operator's to set
            missing.append(variable)
    if missing:
        raise LakeSetupError(
            f"{', '.join(missing)} unset: on a PostgreSQL of your own (TAILOR_PG_HOST), each "
            "team's code server connects to the lake as its role, with the password you give",
            hint="set each team's TAILOR_LAKE_PASSWORD_<TEAM> (docs/deployment.md, "
            "'The shared lake')",
        )
    return passwords


def _apply(connection, roles_sql: str, passwords: dict[str, str]) -> None:
    """The roles, schemas and grants (the file is one transaction), then the passwords, in
    another; sent hashed (SCRAM), so no server log ever holds one."""
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(roles_sql)
    connection.autocommit = False
    with connection, connection.cursor() as cursor:
        for team, password in sorted(passwords.items()):
            role = team_role(team)
            hashed = encrypt_password(password, role, connection)
            statement = sql.SQL("ALTER ROLE {} PASSWORD %s").format(sql.Identifier(role))
            cursor.execute(statement, (hashed,))


@contextmanager
def _as_admin(env: dict[str, str], database: str, action: str, connect_to: str = ""):
    """A connection as the ``TAILOR_PG_*`` role; a failure of ``action`` is explained."""
    connection = admin_connection(env, connect_to)
    try:
        yield connection
    except psycopg2.Error as error:
        server = f"{env[PG_ENV['hostname']]}:{env[PG_ENV['port']]}"
        reason = (error.pgerror or str(error)).strip().splitlines()[0]
        raise LakeSetupError(
            f"could not {action} (database {database!r}) on PostgreSQL at {server} as role "
            f"{env[PG_ENV['username']]!r}: {reason}",
            hint="TAILOR_PG_USER must be a superuser, or may create databases and roles "
            "(CREATEDB, CREATEROLE); nothing was started",
        ) from error
    finally:
        connection.close()


def _passable(variable: str, password: str) -> str:
    if any(character in password for character in UNPASSABLE):
        raise LakeSetupError(
            f"{variable} holds a quote or a line break, which Supervisor's environment "
            "cannot pass to the team's code server intact",
            hint=f"choose a password for {variable} without ', \" or line breaks",
        )
    return password


def _kept_password(file: Path) -> str:
    """The password in ``file``, generated (and the file made, mode 0600) the first time."""
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return file.read_text().strip()
    with os.fdopen(descriptor, "w") as kept:
        password = secrets.token_urlsafe(24)
        kept.write(password + "\n")
    return password
