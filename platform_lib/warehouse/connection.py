"""Connections to a team's lake, and commits that survive other writers.

Each team's tables live in a DuckLake lake: a catalog of snapshots in a SQLite file plus
immutable Parquet data files in a folder beside it (``layout``). Readers attach the catalog
read-only and read files: they never hold a lock a writer waits for. The catalog runs in
SQLite's WAL mode, so a reader and a writer never wait for each other there either.

Writers of one lake may work at once; ``commits`` retries a commit another writer won.

Starting a DuckDB instance and loading the extensions costs tens of milliseconds, attaching
a lake a few; so each process keeps one in-memory instance, and each unit of work attaches
its lake under an alias of its own and detaches it afterwards.
"""

from __future__ import annotations

import itertools
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lib.errors import WarehouseError
from platform_lib.sql import quote_identifier, quote_literal
from platform_lib.warehouse.commits import (
    FIRST_DELAY,
    LOCK_WAIT_SECONDS,
    MAX_DELAY,
    first_line,
    lake_files,
    writer_lock,
)
from platform_lib.warehouse.extensions import load_extensions

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb


_instance: tuple[int, duckdb.DuckDBPyConnection] | None = None
_instance_lock = threading.Lock()
_aliases = itertools.count()


def warehouse_instance() -> duckdb.DuckDBPyConnection:
    """This process's in-memory DuckDB instance with the lake's extensions loaded (a forked
    child makes its own)."""
    global _instance
    import duckdb

    with _instance_lock:
        if _instance is None or _instance[0] != os.getpid():
            connection = duckdb.connect()
            load_extensions(connection)
            _instance = (os.getpid(), connection)
        return _instance[1]


def data_path(catalog: Path) -> Path:
    """The folder of a lake's Parquet files: beside its catalog, named like it."""
    return catalog.with_suffix("")


def attach_sql(catalog: Path, alias: str, *, read_only: bool, version: int | None = None) -> str:
    """The ``ATTACH`` of the lake whose catalog is ``catalog`` as ``alias`` (at snapshot
    ``version``, read-only, when given). The data path is always the folder beside the
    catalog, so a warehouse folder that was moved or copied still reads its own files."""
    options = [
        f"DATA_PATH {quote_literal(str(data_path(catalog)) + os.sep)}",
        "OVERRIDE_DATA_PATH true",
    ]
    if read_only or version is not None:
        options.append("READ_ONLY")
    if version is not None:
        options.append(f"SNAPSHOT_VERSION {int(version)}")
    target = quote_literal(f"ducklake:sqlite:{catalog}")
    return f"ATTACH {target} AS {alias} ({', '.join(options)})"


@contextmanager
def lake_connection(
    catalog: Path,
    *,
    read_only: bool,
    version: int | None = None,
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection working in the lake of ``catalog`` (``USE``d, so tables read by bare
    name), detached and closed afterwards. A write creates the lake on first use; a read of
    a lake that does not exist is the caller's to prevent (``catalog.exists()``)."""
    import duckdb

    try:
        if not read_only:
            _create(catalog, wait_seconds)
        elif not catalog.is_file():
            raise WarehouseError(f"The warehouse has no lake at {catalog}.")
    except PermissionError as error:  # a folder on the way this user may not enter
        raise _unopenable_catalog(catalog, error, read_only) from error
    connection = warehouse_instance().cursor()
    alias = f"tailor_{next(_aliases)}"
    try:
        _attach(connection, catalog, alias, read_only, version, wait_seconds)
        connection.execute(f"USE {alias}")
    except BaseException:
        connection.close()
        raise
    try:
        yield connection
    finally:
        with suppress(duckdb.Error):  # a transaction the work left open, if any
            connection.execute("ROLLBACK")
        connection.execute("USE memory")
        connection.execute(f"DETACH {alias}")
        connection.close()


def connect_lakes(
    lakes: Mapping[str, Path], versions: Mapping[str, int] | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection of its own (for a notebook or a tool) with each lake of ``lakes``
    attached read-only under its name, at its version in ``versions`` if any; the caller
    closes it."""
    import duckdb

    versions = versions or {}
    connection = duckdb.connect()
    try:
        load_extensions(connection)
        for name, catalog in lakes.items():
            alias, version = quote_identifier(name), versions.get(name)
            _attach(connection, catalog, alias, True, version, LOCK_WAIT_SECONDS)
    except BaseException:
        connection.close()
        raise
    return connection


def _create(catalog: Path, wait_seconds: float) -> None:
    """Create the lake of ``catalog`` if it does not exist: its SQLite file, in WAL mode (so
    readers and the writer never wait for each other), and DuckLake's tables in it."""
    if catalog.is_file():
        return
    catalog.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(catalog, wait_seconds):
        if catalog.is_file():
            return
        connection = warehouse_instance().cursor()  # first: extensions that fail leave no file
        # made whole under another name, then renamed: no process ever opens a half-made lake
        draft = catalog.with_name(f".{catalog.name}.{os.getpid()}.new")
        for file in lake_files(draft):
            file.unlink(missing_ok=True)
        with closing(sqlite3.connect(draft)) as database:
            database.execute("PRAGMA journal_mode=WAL")
        try:
            options = f"DATA_PATH {quote_literal(str(data_path(catalog)) + os.sep)}"
            target = quote_literal(f"ducklake:sqlite:{draft}")
            connection.execute(f"ATTACH {target} AS tailor_new ({options})")
            connection.execute("DETACH tailor_new")
        finally:
            connection.close()
        with closing(sqlite3.connect(draft)) as database:  # its log folded into the file
            database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(draft, catalog)
        for file in lake_files(draft)[1:]:
            file.unlink(missing_ok=True)


def _attach(
    connection: duckdb.DuckDBPyConnection,
    catalog: Path,
    alias: str,
    read_only: bool,
    version: int | None,
    wait_seconds: float,
) -> None:
    """Attach, retrying the rare moment SQLite is busy (a checkpoint of its log)."""
    import duckdb

    deadline, delay = time.monotonic() + wait_seconds, FIRST_DELAY
    while True:
        try:
            connection.execute(attach_sql(catalog, alias, read_only=read_only, version=version))
            return
        except duckdb.Error as error:
            if "database is locked" not in str(error) or time.monotonic() >= deadline:
                raise _unopenable_catalog(catalog, error, read_only) from error
            time.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, MAX_DELAY)


def _unopenable_catalog(catalog: Path, error: BaseException, read_only: bool) -> WarehouseError:
    """The error for a lake catalog DuckDB could not open, saying why and what to do."""
    said = f"DuckDB says: {first_line(error)}"
    access, verb = (os.R_OK, "read") if read_only else (os.R_OK | os.W_OK, "read and write")
    if not os.access(catalog, access):
        why = f"this user may not {verb} it ({said})"
        fix = f"give the warehouse's user access to it (ls -l {catalog}; chown or chmod)"
    elif "not a database" in str(error):
        why = f"it is not a SQLite file ({said})"
        fix = "it was damaged or overwritten: restore it from a backup"
    else:
        why, fix = said, "if the file was damaged, restore it from a backup"
    return WarehouseError(
        f"The catalog of the lake {catalog.stem!r} ({catalog}) could not be opened: {why}. "
        f"Its tables cannot be read or written until then; {fix} (its data files are in "
        f"{data_path(catalog)})."
    )
