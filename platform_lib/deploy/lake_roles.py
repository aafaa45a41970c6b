"""The shared lake's roles, schemas and grants: the SQL ``tailor deploy render`` writes to
``lake/roles.sql``, from the teams of ``workspace.yaml``.

Each team's catalog is the PostgreSQL schema named like the team, owned by the role
``tailor_<team>`` (LOGIN); every other team's role and ``tailor_reader`` may read it (USAGE,
SELECT on its tables, present and future) and nothing else may write it. The SQL sets no
password, is one transaction, changes nothing when applied again, and is the same bytes for
the same workspace. Apply it to the lake's database as a role that may create roles:

    psql "host=... dbname=tailor_lake user=..." -v ON_ERROR_STOP=1 -f deploy/lake/roles.sql
"""

import re

from platform_lib.errors import TailorError
from platform_lib.settings import READER_ROLE, lake_role
from platform_lib.sql import quote_identifier as _identifier
from platform_lib.sql import quote_literal as _literal

READER = "reader"
"""``tailor_reader``'s stand-in team name: it reads every team's catalog, writes none."""
PASSWORD_PREFIX = "TAILOR_LAKE_PASSWORD_"
MAX_NAME_BYTES = 63  # PostgreSQL cuts a longer identifier short, silently


class LakeRoleError(TailorError):
    """A team's name cannot become its lake role or schema."""


def team_role(team: str) -> str:
    """The PostgreSQL role that owns ``team``'s catalog (``tailor_reader`` for ``reader``)."""
    return READER_ROLE if team == READER else lake_role(team)


def password_variable(team: str) -> str:
    """Where the single-host profile finds ``team``'s role's password (``reader`` for
    ``tailor_reader``): ``TAILOR_LAKE_PASSWORD_<TEAM>``."""
    return PASSWORD_PREFIX + team.upper()


def roles_sql(teams: list[str]) -> str:
    """The SQL that creates every team's role and schema and the grants between them."""
    teams = sorted(teams)
    for team in teams:
        _check_name(team)
    statements = [
        "-- nobody creates objects in the public schema",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
        "",
        f"-- a role per team, and {READER_ROLE}, which reads every team's catalog",
        *(_role(team_role(team), owns_a_schema=True) for team in teams),
        _role(READER_ROLE, owns_a_schema=False),
    ]
    for team in teams:
        readers = [team_role(other) for other in teams if other != team] + [READER_ROLE]
        statements += ["", *_schema(team, readers)]
    return HEADER + "BEGIN;\n\n" + "\n".join(statements) + "\n\nCOMMIT;\n"


HEADER = """\
-- Rendered by `tailor deploy render` from workspace.yaml; do not edit by hand.
-- The shared lake's roles, schemas and grants (docs/deployment.md, "The shared lake").
-- Apply to the lake's database as a role that may create roles; applying it again changes
-- nothing:  psql "host=... dbname=tailor_lake user=..." -v ON_ERROR_STOP=1 -f roles.sql
-- It sets no password: ALTER ROLE "tailor_<team>" PASSWORD '...' (tailor deploy up does).
"""


def _role(role: str, owns_a_schema: bool) -> str:
    """Create ``role`` unless it exists. A schema's owner is also made a role of the creator
    when it is not a superuser: PostgreSQL asks that to give it a schema and its default
    privileges."""
    name = _literal(role)
    membership = (
        f"  IF NOT pg_catalog.pg_has_role(current_user, {name}, 'MEMBER') THEN\n"
        f"    GRANT {_identifier(role)} TO CURRENT_USER;\n"
        "  END IF;\n"
    )
    return (
        "DO $$\nBEGIN\n"
        f"  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {name}) THEN\n"
        f"    CREATE ROLE {_identifier(role)} LOGIN;\n"
        "  END IF;\n"
        f"{membership if owns_a_schema else ''}END\n$$;"
    )


def _schema(team: str, readers: list[str]) -> list[str]:
    schema, owner = _identifier(team), _identifier(team_role(team))
    grantees = ", ".join(map(_identifier, readers))
    return [
        f"-- {team}: written by its own role only, read by the others",
        f"CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {owner};",
        f"ALTER SCHEMA {schema} OWNER TO {owner};",
        f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;",
        f"GRANT USAGE ON SCHEMA {schema} TO {grantees};",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {grantees};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema}\n"
        f"  GRANT SELECT ON TABLES TO {grantees};",
    ]


def _check_name(team: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", team):
        raise LakeRoleError(
            f"team {team!r} cannot name a lake role, schema and environment variable: "
            "use letters, digits and underscores, not starting with a digit",
            hint="rename the team's code location in workspace.yaml",
        )
    if team == READER:
        raise LakeRoleError(
            f"team {team!r} would share its lake role with the reader ({READER_ROLE})",
            hint="rename the team's code location in workspace.yaml",
        )
    if len(team_role(team).encode()) > MAX_NAME_BYTES:
        raise LakeRoleError(
            f"team {team!r}'s lake role {team_role(team)!r} is longer than PostgreSQL's "
            f"{MAX_NAME_BYTES} bytes: it would be cut short and could meet another team's",
            hint="give the team's code location a shorter name in workspace.yaml",
        )
