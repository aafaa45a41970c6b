"""The single-host profile makes the shared lake ready on a real PostgreSQL before anything
starts: the lake's database, the rendered roles, schemas and grants, and each role's
password (given, or generated and kept beside Tailor's own cluster); a server or admin
that cannot do it is named, and nothing is half-made."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

from platform_lib.deploy.lake_roles import READER_ROLE, roles_sql, team_role
from platform_lib.deploy.lake_setup import LakeSetupError, lake_passwords, prepare_lake
from platform_lib.deploy.postgres import UnreachablePostgres
from platform_lib.settings import REPO_ROOT
from platform_lib.workspace.locations import read_workspace
from tests.deploy.conftest import connect, login_role, run_sql

TEAMS = sorted(location.name for location in read_workspace())
SQL = roles_sql(TEAMS)
TAILOR = str(Path(sys.executable).parent / "tailor")


def databases(env) -> set[str]:
    return {
        name for (name,) in run_sql(env, env["TAILOR_PG_DB"], "SELECT datname FROM pg_database")
    }


def logs_in(env, database: str, role: str, password: str) -> bool:
    try:
        connect(env, database, role, password).close()
        return True
    except psycopg2.OperationalError:
        return False


def test_tailors_own_cluster_gets_the_lake_and_a_kept_password_per_role(admin_env, tmp_path):
    passwords = prepare_lake(admin_env, "lake_own", TEAMS, SQL, password_folder=tmp_path)
    assert "lake_own" in databases(admin_env)
    assert set(passwords) == {f"TAILOR_LAKE_PASSWORD_{team.upper()}" for team in TEAMS}
    for team in TEAMS:
        kept = tmp_path / f"{team_role(team)}.password"
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        password = passwords[f"TAILOR_LAKE_PASSWORD_{team.upper()}"]
        assert kept.read_text().strip() == password
        assert logs_in(admin_env, "lake_own", team_role(team), password)
    reader = (tmp_path / f"{READER_ROLE}.password").read_text().strip()
    assert logs_in(admin_env, "lake_own", READER_ROLE, reader)
    # the next `tailor deploy up` keeps them, and applying the roles again is harmless
    assert prepare_lake(admin_env, "lake_own", TEAMS, SQL, password_folder=tmp_path) == passwords


def test_given_passwords_are_set_and_an_own_server_needs_every_teams(admin_env):
    given = {f"TAILOR_LAKE_PASSWORD_{team.upper()}": f"given %,{team} x" for team in TEAMS}
    passwords = prepare_lake({**admin_env, **given}, "lake_given", TEAMS, SQL, None)
    assert passwords == given
    for team in TEAMS:
        assert logs_in(admin_env, "lake_given", team_role(team), f"given %,{team} x")
    missing = dict(given)
    del missing["TAILOR_LAKE_PASSWORD_STYLING"]
    with pytest.raises(LakeSetupError, match="TAILOR_LAKE_PASSWORD_STYLING unset: on a Postg"):
        prepare_lake({**admin_env, **missing}, "lake_missing", TEAMS, SQL, None)
    assert "lake_missing" not in databases(admin_env)  # refused before anything was made


def test_a_password_supervisor_cannot_pass_is_refused(admin_env):
    env = {**admin_env, "TAILOR_LAKE_PASSWORD_STYLING": 'has"quote'}
    with pytest.raises(LakeSetupError, match="TAILOR_LAKE_PASSWORD_STYLING holds a quote"):
        lake_passwords(env, ["styling"], None)


def test_a_wrong_admin_password_names_the_server_and_role(admin_env, tmp_path):
    env = {**admin_env, "TAILOR_PG_PASSWORD": "wrong"}
    server = f"PostgreSQL at 127.0.0.1:{admin_env['TAILOR_PG_PORT']}"
    with pytest.raises(UnreachablePostgres, match=f"{server} .*user 'tailor'.* refused"):
        prepare_lake(env, "lake_wrong", TEAMS, SQL, password_folder=tmp_path)


def test_an_admin_that_may_not_create_roles_is_told_and_nothing_is_half_made(admin_env):
    login_role(admin_env, "plain_admin", "plain")
    run_sql(admin_env, admin_env["TAILOR_PG_DB"], "ALTER ROLE plain_admin CREATEDB")
    env = {**admin_env, "TAILOR_PG_USER": "plain_admin", "TAILOR_PG_PASSWORD": "plain"}
    given = {f"TAILOR_LAKE_PASSWORD_{team.upper()}": "x" for team in ["a_new_team"]}
    with pytest.raises(LakeSetupError) as refused:
        prepare_lake(
            {**env, **given}, "lake_plain", ["a_new_team"], roles_sql(["a_new_team"]), None
        )
    port = admin_env["TAILOR_PG_PORT"]
    assert str(refused.value).startswith(
        f"could not apply lake/roles.sql (database 'lake_plain') on PostgreSQL at "
        f"127.0.0.1:{port} as role 'plain_admin': ERROR:  permission denied to create role"
    )
    assert "CREATEROLE" in refused.value.hint
    # the file is one transaction: no role, no schema, no grant was left behind
    assert not run_sql(
        admin_env, "lake_plain", "SELECT 1 FROM pg_roles WHERE rolname = 'tailor_a_new_team'"
    )
    assert not run_sql(
        admin_env, "lake_plain", "SELECT 1 FROM pg_namespace WHERE nspname = 'a_new_team'"
    )


def test_a_non_superuser_that_may_create_roles_sets_the_lake_up(admin_env):
    login_role(admin_env, "role_admin", "roles")
    run_sql(admin_env, admin_env["TAILOR_PG_DB"], "ALTER ROLE role_admin CREATEDB CREATEROLE")
    env = {**admin_env, "TAILOR_PG_USER": "role_admin", "TAILOR_PG_PASSWORD": "roles"}
    given = {"TAILOR_LAKE_PASSWORD_OTHER_TEAM": "other"}
    sql = roles_sql(["other_team"])
    for _ in range(2):  # the second time changes nothing and does not fail
        prepare_lake({**env, **given}, "lake_roles_admin", ["other_team"], sql, None)
    owner = run_sql(
        admin_env,
        "lake_roles_admin",
        "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'other_team'",
    )
    assert owner == [("tailor_other_team",)]
    assert logs_in(admin_env, "lake_roles_admin", "tailor_other_team", "other")


def test_up_on_an_own_server_without_the_teams_passwords_starts_nothing(admin_env, tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("TAILOR_LAKE")}
    result = subprocess.run(
        [TAILOR, "deploy", "up", "--out", str(tmp_path / "deploy"), "--lake-database", "lake_up"],
        cwd=REPO_ROOT, env={**env, **admin_env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout
    variables = ", ".join(f"TAILOR_LAKE_PASSWORD_{team.upper()}" for team in TEAMS)
    assert f"{variables} unset" in result.stderr
    conf = str(tmp_path / "deploy" / "supervisord.conf")
    assert subprocess.run(["pgrep", "-f", conf], capture_output=True).stdout == b""
    assert not (tmp_path / "deploy" / "supervisord.log").exists()
