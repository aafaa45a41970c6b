"""PostgreSQL for the single-host profile: a check that the configured server answers, and
a cluster of Tailor's own on loopback when no server is given (also used by the tests):
Debian's server binaries, a data folder, a port.

    with LocalPostgres(Path("/var/tmp/tailor-pg"), port=5433) as postgres:
        os.environ.update(postgres.env())   # TAILOR_PG_*, as the rendered dagster.yaml reads

It listens on 127.0.0.1 only and asks for a password (generated at ``initdb``, kept beside
the data folder). The server refuses to run as root, so as root it runs as the ``postgres``
user that Debian's package creates.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql

from platform_lib.deploy.settings import PG_ENV
from platform_lib.errors import TailorError

SERVER_USER = "postgres"  # Debian's package creates it; the server refuses to run as root


class PostgresError(TailorError):
    """The local PostgreSQL could not be set up or started."""


class UnreachablePostgres(TailorError):
    """The PostgreSQL the deployment is pointed at does not answer."""


@dataclass
class LocalPostgres:
    """A cluster in ``folder`` (``folder/data``; the password in ``folder/password``)."""

    folder: Path
    port: int = 5433  # beside, not on, a system PostgreSQL's 5432
    user: str = "tailor"
    database: str = "tailor"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def password(self) -> str:
        return (self.folder / "password").read_text().strip()

    def env(self) -> dict[str, str]:
        """The ``TAILOR_PG_*`` variables that reach this cluster."""
        values = {
            "hostname": "127.0.0.1",
            "port": str(self.port),
            "username": self.user,
            "password": self.password,
            "db_name": self.database,
        }
        return {PG_ENV[field]: value for field, value in values.items()}

    def start(self) -> LocalPostgres:
        """Create the cluster if it is new, start it and wait until it accepts connections."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        self._run(
            "pg_ctl", "start", "--wait", "--timeout=60", "-D", str(self.data),
            "-l", str(self.data / "server.log"),
            "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}",
        )  # fmt: skip
        self._create_database()
        return self

    def stop(self) -> None:
        """Stop the server (fast: open sessions are ended, data is flushed)."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "--wait", "-m", "fast", "-D", str(self.data))

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *_) -> None:
        self.stop()

    def _initdb(self) -> None:
        self.folder.chmod(0o700)
        password_file = self.folder / "password"
        password_file.unlink(missing_ok=True)
        descriptor = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as password:
            password.write(secrets.token_urlsafe(24) + "\n")
        self.data.mkdir(mode=0o700, exist_ok=True)
        if _as_root():  # the server's user owns its folder; root reads the password anyway
            for path in (self.folder, password_file, self.data):
                shutil.chown(path, SERVER_USER, SERVER_USER)
        try:
            self._run(
                "initdb", "-D", str(self.data), "-U", self.user, "--auth=scram-sha-256",
                f"--pwfile={password_file}", "--encoding=UTF8", "--no-instructions",
            )  # fmt: skip
        except PostgresError:
            shutil.rmtree(self.data, ignore_errors=True)  # the next try starts clean
            raise
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("max_connections = 200\n")  # webserver, daemon, code servers, runs

    def _create_database(self) -> None:
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, password=self.password,
            dbname="postgres",
        )  # fmt: skip
        try:
            create_database(connection, self.database)
        finally:
            connection.close()

    def _run(self, program: str, *args: str) -> None:
        command = [str(_server_binary(program)), *args]
        if _as_root():
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd="/", timeout=120)
        if result.returncode != 0:
            log = self.data / "server.log"
            tail = log.read_text()[-1500:] if log.exists() else ""
            raise PostgresError(
                f"PostgreSQL `{program}` failed for the cluster in {self.data} "
                f"(port {self.port}): {(result.stderr or result.stdout).strip()}\n{tail}",
                hint=_reach_hint(self.folder),
            )


def check_reachable(env: dict[str, str]) -> None:
    """Connect once with the deployment's settings, or explain which one is wrong."""
    admin_connection(env).close()


def admin_connection(env: dict[str, str], database: str = "") -> psycopg2.extensions.connection:
    """A connection as the deployment's ``TAILOR_PG_*`` role to ``database`` (default
    ``TAILOR_PG_DB``), or an error naming the server, the database and the role."""
    missing = [name for name in PG_ENV.values() if not env.get(name)]
    if missing:
        raise UnreachablePostgres(
            f"the deployment's PostgreSQL settings are incomplete: {', '.join(missing)} unset",
            hint="set every TAILOR_PG_* variable, or unset TAILOR_PG_HOST to use a local one",
        )
    settings = {field: env[name] for field, name in PG_ENV.items()}
    database = database or settings["db_name"]
    try:
        return psycopg2.connect(
            host=settings["hostname"], port=settings["port"], user=settings["username"],
            password=settings["password"], dbname=database, connect_timeout=10,
        )  # fmt: skip
    except psycopg2.OperationalError as error:
        raise UnreachablePostgres(
            f"PostgreSQL at {settings['hostname']}:{settings['port']} (database "
            f"{database!r}, user {settings['username']!r}) refused: {str(error).strip()}",
            hint="check TAILOR_PG_HOST, TAILOR_PG_PORT, TAILOR_PG_USER, TAILOR_PG_PASSWORD "
            "and TAILOR_PG_DB",
        ) from error


def create_database(connection: psycopg2.extensions.connection, name: str) -> None:
    """Create the database ``name`` on ``connection``'s server unless it exists."""
    connection.autocommit = True  # CREATE DATABASE runs outside a transaction
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _as_root() -> bool:
    return os.geteuid() == 0


def _server_binary(program: str) -> Path:
    """``program`` from the newest installed PostgreSQL server (Debian's layout)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{program}"), key=lambda p: int(p.parts[-3])
    )
    if not found:
        raise PostgresError(
            "no PostgreSQL server is installed (no /usr/lib/postgresql/*/bin/initdb)",
            hint="`make test` installs Debian's postgresql; or `apt-get install -y postgresql`, "
            "or point TAILOR_PG_HOST at a server of your own",
        )
    return found[-1]


def _reach_hint(folder: Path) -> str:
    if _as_root():
        return (
            f"as root the server runs as the {SERVER_USER!r} user, which must be able to reach "
            f"{folder}; choose a folder it can (TAILOR_PG_FOLDER=/var/tmp/tailor-postgres) or "
            "point TAILOR_PG_HOST at a server of your own"
        )
    return f"see the server log in {folder / 'data' / 'server.log'}"
