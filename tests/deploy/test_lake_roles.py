"""The rendered lake/roles.sql on a real PostgreSQL: applied again it changes nothing; then
raw DuckDB connections, bypassing Tailor's IO manager, attached to the lake as the contract
says, find the isolation PostgreSQL enforces: a team writes only its own catalog, reads the
others', the reader reads all and writes none, and a role without grants is refused."""

from collections.abc import Iterator

import duckdb
import psycopg2
import pytest

from platform_lib.deploy.lake_roles import READER_ROLE, LakeRoleError, roles_sql, team_role
from platform_lib.deploy.postgres import create_database
from platform_lib.deploy.render import ROLES_FILE, render
from platform_lib.deploy.settings import DeploySettings
from platform_lib.warehouse.extensions import load_extensions
from platform_lib.workspace.locations import read_workspace
from tests.deploy.conftest import connect, login_role, run_sql

DATABASE = "lake_roles_test"
OWNER, OTHER = "merchandising", "styling"  # two of the workspace's teams
PASSWORD = "lake-test"
CATALOG = """
SELECT 'role', rolname || ' ' || rolcanlogin || rolsuper || rolcreaterole || rolcreatedb
  FROM pg_roles WHERE rolname LIKE 'tailor%'
UNION ALL SELECT 'member', roleid::regrole || ' > ' || member::regrole || admin_option
  FROM pg_auth_members WHERE roleid::regrole::text LIKE 'tailor%'
UNION ALL SELECT 'schema', nspname || ' ' || nspowner::regrole || ' ' || coalesce(nspacl::text, '')
  FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
UNION ALL SELECT 'default', defaclrole::regrole || ' ' || defaclnamespace::regnamespace
                 || ' ' || defaclobjtype::text || ' ' || defaclacl::text
  FROM pg_default_acl
UNION ALL SELECT 'table', relnamespace::regnamespace || '.' || relname || ' '
                 || relowner::regrole || ' ' || coalesce(relacl::text, '')
  FROM pg_class WHERE relkind = 'r'
   AND relnamespace::regnamespace::text NOT LIKE 'pg\\_%'
   AND relnamespace::regnamespace::text <> 'information_schema'
ORDER BY 1, 2
"""


def catalog(env) -> list[tuple]:
    """The roles, memberships, schemas, default privileges and tables' ACLs of the lake."""
    return run_sql(env, DATABASE, CATALOG)


@pytest.fixture(scope="module")
def lake(admin_env, tmp_path_factory) -> Iterator[dict]:
    """The rendered SQL applied once to a fresh lake database; each team's role may log in."""
    roles = render(read_workspace(), DeploySettings())[ROLES_FILE]
    admin = connect(admin_env, admin_env["TAILOR_PG_DB"])
    try:
        create_database(admin, DATABASE)
    finally:
        admin.close()
    run_sql(admin_env, DATABASE, roles)
    teams = [location.name for location in read_workspace()]
    for role in [*map(team_role, teams), READER_ROLE]:
        login_role(admin_env, role, PASSWORD)
    yield {"env": admin_env, "sql": roles, "data": tmp_path_factory.mktemp("lake")}


def attach(lake: dict, role: str, team: str, read_only: bool = False):
    """A raw DuckDB connection with ``team``'s catalog attached as ``x``, as ``role``."""
    env = lake["env"]
    connection = duckdb.connect()
    load_extensions(connection, ("ducklake", "postgres_scanner"))
    connection.execute(
        f"CREATE SECRET lake (TYPE postgres, HOST '{env['TAILOR_PG_HOST']}', "
        f"PORT {env['TAILOR_PG_PORT']}, DATABASE '{DATABASE}', USER '{role}', "
        f"PASSWORD '{PASSWORD}')"
    )
    connection.execute(
        f"ATTACH 'ducklake:postgres:dbname={DATABASE}' AS x (DATA_PATH '{lake['data']}/{team}/', "
        f"METADATA_SCHEMA '{team}', METADATA_PARAMETERS MAP {{'SECRET': 'lake'}}"
        f"{', READ_ONLY' if read_only else ''})"
    )
    return connection


@pytest.fixture(scope="module")
def written(lake) -> dict:
    """Each of the two teams wrote a table of its own, through its own role."""
    for team in (OWNER, OTHER):
        connection = attach(lake, team_role(team), team)
        connection.execute("CREATE TABLE x.items AS SELECT range AS n FROM range(3)")
        connection.close()
    return lake


def rows(connection) -> list[tuple]:
    return connection.execute("SELECT n FROM x.items ORDER BY n").fetchall()


def snapshots(connection) -> int:
    return connection.execute("SELECT max(snapshot_id) FROM x.snapshots()").fetchone()[0]


def test_applying_the_rendered_sql_again_changes_nothing(written):
    before = catalog(written["env"])
    run_sql(written["env"], DATABASE, written["sql"])  # also after DuckLake made its tables
    assert catalog(written["env"]) == before
    # the catalog is what the contract says: each schema owned by its team's role, the others
    # and the reader may only use it; their SELECT reaches the tables DuckLake made since
    schemas = {row[1].split()[0]: row[1].split()[1:] for row in before if row[0] == "schema"}
    owner, acl = schemas[OWNER]
    assert owner == team_role(OWNER)
    assert f"{team_role(OTHER)}=U/{owner}" in acl and f"{READER_ROLE}=U/{owner}" in acl
    assert "=U/pg_database_owner" in schemas["public"][1]  # PUBLIC may no longer create
    tables = [row[1] for row in before if row[0] == "table" and row[1].startswith(f"{OWNER}.")]
    assert tables and all(f"{team_role(OTHER)}=r/{owner}" in table for table in tables)


def test_the_sql_sets_no_password_and_quotes_every_name():
    sql = roles_sql(["a_team"])
    statements = [line for line in sql.splitlines() if not line.startswith("--")]
    assert not [line for line in statements if "PASSWORD" in line]
    assert 'CREATE ROLE "tailor_a_team" LOGIN' in sql
    assert 'CREATE SCHEMA IF NOT EXISTS "a_team" AUTHORIZATION "tailor_a_team"' in sql
    with pytest.raises(LakeRoleError, match="team 'reader' would share its lake role"):
        roles_sql(["reader"])
    with pytest.raises(LakeRoleError, match="longer than PostgreSQL's 63 bytes"):
        roles_sql(["t" * 60])
    with pytest.raises(LakeRoleError, match="use letters, digits and underscores"):
        roles_sql(['a"; DROP ROLE x; --'])


def test_a_team_writes_its_own_table(written):
    connection = attach(written, team_role(OWNER), OWNER)
    connection.execute("INSERT INTO x.items VALUES (3)")
    assert rows(connection) == [(0,), (1,), (2,), (3,)]
    connection.execute("DELETE FROM x.items WHERE n = 3")


def test_another_team_reads_a_table_and_its_write_is_refused_at_commit(written):
    reader = attach(written, team_role(OTHER), OWNER, read_only=True)
    assert rows(reader) == [(0,), (1,), (2,)]
    owner = attach(written, team_role(OWNER), OWNER, read_only=True)
    version = snapshots(owner)
    writer = attach(written, team_role(OTHER), OWNER)
    with pytest.raises(duckdb.Error, match="permission denied for table ducklake_"):
        writer.execute("INSERT INTO x.items SELECT range FROM range(100, 5100)")
    owner = attach(written, team_role(OWNER), OWNER, read_only=True)
    assert rows(owner) == [(0,), (1,), (2,)] and snapshots(owner) == version


def test_the_reader_reads_every_team_and_writes_none(written):
    for team in (OWNER, OTHER):
        assert rows(attach(written, READER_ROLE, team, read_only=True)) == [(0,), (1,), (2,)]
        with pytest.raises(duckdb.Error, match="permission denied"):
            attach(written, READER_ROLE, team).execute("DELETE FROM x.items")
        assert rows(attach(written, READER_ROLE, team, read_only=True)) == [(0,), (1,), (2,)]


def test_a_role_without_the_grants_is_refused_by_the_schema(written):
    login_role(written["env"], "tailor_outsider", PASSWORD)  # not in the rendered SQL
    with pytest.raises(duckdb.Error, match=f"permission denied for schema {OWNER}"):
        attach(written, "tailor_outsider", OWNER, read_only=True)


def test_nobody_else_creates_in_the_lake_database(written):
    connection = connect(written["env"], DATABASE, READER_ROLE, PASSWORD)
    try:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="schema public"):
            connection.cursor().execute("CREATE TABLE public.sneaked (n int)")
    finally:
        connection.close()
