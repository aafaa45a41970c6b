"""Connections to a team's lake.

Each team's tables live in a DuckLake lake (``lake``): a catalog of snapshots, in a SQLite
file or a shared PostgreSQL, plus immutable Parquet data files. Readers attach the catalog
read-only and read files: they never hold a lock a writer waits for.

Writers of one lake may work at once; ``commits`` retries a commit another writer won.

Starting a DuckDB instance and loading the extensions costs tens of milliseconds, attaching
a lake a few; so each process keeps one in-memory instance, and each unit of work attaches
its lake under an alias of its own and detaches it afterwards.
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from typing import TYPE_CHECKING

from platform_lib.errors import WarehouseError
from platform_lib.sql import quote_identifier
from platform_lib.warehouse.commits import FIRST_DELAY, LOCK_WAIT_SECONDS, MAX_DELAY
from platform_lib.warehouse.extensions import load_extensions
from platform_lib.warehouse.lake import Lake
from platform_lib.warehouse.memory import (
    MEMORY_TAG,
    announce,
    configure,
    limit_memory,
    note_run,
    run_limit,
    shown,
    size_in_bytes,
)

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb


_instance: tuple[int, duckdb.DuckDBPyConnection] | None = None
_default_ready: int | None = None
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
            configure(connection, "warehouse")
            _instance = (os.getpid(), connection)
        return _instance[1]


def default_connection() -> duckdb.DuckDBPyConnection:
    """DuckDB's default connection, the one ``duckdb.sql`` runs on, with the lake's
    extensions loaded: lazy inputs are read there (``lazy_reads``), so a scientist's
    ``duckdb.sql("... FROM inventory")`` can query them, and the relations built from them
    are written there, inside the write's transaction."""
    global _default_ready
    import duckdb

    connection = duckdb.default_connection()
    with _instance_lock:
        if _default_ready != os.getpid():
            load_extensions(connection)
            configure(connection, "default")
            _default_ready = os.getpid()
    return connection


def limited_run(
    run_id: str | None, configured: str | None, log: logging.Logger | None = None
) -> dict[str, str]:
    """Set a run's memory limit (``memory.run_limit``) on both DuckDB instances of this
    process (whose spill folder is named after the run, if it has none yet); ``log`` hears
    it. Returns the run tag showing it."""
    if run_id is not None:
        note_run(run_id)
    limit = run_limit(configured)
    for connection in (warehouse_instance(), default_connection()):
        limit_memory(connection, limit)
    if log is not None:
        log.info(announce(limit))
    return {MEMORY_TAG: shown(size_in_bytes(limit))}


def new_alias() -> str:
    """An alias no other attachment of this process uses."""
    return f"tailor_{next(_aliases)}"


@contextmanager
def lake_connection(
    lake: Lake,
    *,
    read_only: bool,
    version: int | None = None,
    wait_seconds: float = LOCK_WAIT_SECONDS,
    on: duckdb.DuckDBPyConnection | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection working in ``lake`` (``USE``d, so tables read by bare name), detached
    and closed afterwards; or ``on`` that connection, left open and back in the database it
    was in. A write creates the lake on first use; a read of a lake that does not exist is
    the caller's to prevent (``lake.exists()``)."""
    import duckdb

    connection = on if on is not None else warehouse_instance().cursor()
    before = connection.execute("SELECT current_database(), current_schema()").fetchone()
    alias = new_alias()
    try:
        lake.prepare(connection)
        if not read_only:
            lake.create(connection, wait_seconds)
        elif not lake.exists():
            raise WarehouseError(f"The warehouse has no lake {lake.name!r} ({lake}).")
        _attach(connection, lake, alias, read_only, version, wait_seconds)
        connection.execute(f"USE {alias}")
    except BaseException:
        if on is None:
            connection.close()
        raise
    try:
        yield connection
    finally:
        with suppress(duckdb.Error):  # a transaction the work left open, if any
            connection.execute("ROLLBACK")
        connection.execute(f"USE {'.'.join(quote_identifier(name) for name in before)}")
        connection.execute(f"DETACH {alias}")
        if on is None:
            connection.close()


def connect_lakes(
    lakes: Mapping[str, Lake], versions: Mapping[str, int] | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection of its own (for a notebook or a tool) with each lake of ``lakes``
    attached read-only under its name, at its version in ``versions`` if any; the caller
    closes it. Each version read is pinned (``Lake.pin``) until then, so upkeep on any host
    keeps it and its files."""
    import duckdb

    versions = versions or {}
    connection, pins = duckdb.connect(), ExitStack()
    try:
        load_extensions(connection)
        for name, lake in lakes.items():
            alias, version = quote_identifier(name), versions.get(name)
            if version is not None:
                pins.enter_context(lake.pin(version))
            lake.prepare(connection)
            _attach(connection, lake, alias, True, version, LOCK_WAIT_SECONDS)
    except BaseException:
        connection.close()
        pins.close()
        raise
    return PinnedConnection(connection, pins) if versions else connection


class PinnedConnection:
    """A DuckDB connection reading past versions, holding their pins until it is closed (or
    its ``with`` block ends); anything else is the connection's own."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, pins: ExitStack):
        self._connection, self._pins = connection, pins

    def close(self) -> None:
        try:
            self._connection.close()
        finally:
            self._pins.close()

    def __getattr__(self, name: str):
        return getattr(self._connection, name)

    def __enter__(self) -> PinnedConnection:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _attach(
    connection: duckdb.DuckDBPyConnection,
    lake: Lake,
    alias: str,
    read_only: bool,
    version: int | None,
    wait_seconds: float,
) -> None:
    """Attach, retrying the rare moment a SQLite catalog is busy (a checkpoint of its log)."""
    import duckdb

    deadline, delay = time.monotonic() + wait_seconds, FIRST_DELAY
    while True:
        try:
            connection.execute(lake.attach_sql(alias, read_only=read_only, version=version))
            return
        except duckdb.Error as error:
            if "database is locked" not in str(error) or time.monotonic() >= deadline:
                raise lake.unopenable(error, read_only) from error
            time.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, MAX_DELAY)
