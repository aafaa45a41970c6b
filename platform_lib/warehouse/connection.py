"""Short-lived DuckDB connections that wait politely for the single-writer lock.

DuckDB allows one read-write process, or many read-only ones, per database file. Tailor
never holds a database file longer than one read or one write, and when another process
holds the lock it retries with jittered exponential backoff until a deadline, then fails
with an error naming the process that holds it.

Starting a DuckDB instance costs about 10 ms, attaching a file to a running one under half a
millisecond; so each process keeps one in-memory instance, and each unit of work attaches
its file (taking the file's lock), works in it, and detaches it (releasing the lock).
"""

from __future__ import annotations

import itertools
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lib.errors import WarehouseError

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

LOCK_WAIT_SECONDS = 120.0
_FIRST_DELAY = 0.05
_MAX_DELAY = 2.0


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "Could not set lock on file" in str(error) or "Conflicting lock" in str(error)


_instance: tuple[int, duckdb.DuckDBPyConnection] | None = None
_instance_lock = threading.Lock()
_aliases = itertools.count()


def warehouse_instance() -> duckdb.DuckDBPyConnection:
    """This process's in-memory DuckDB instance (a forked child makes its own)."""
    global _instance
    import duckdb

    with _instance_lock:
        if _instance is None or _instance[0] != os.getpid():
            _instance = (os.getpid(), duckdb.connect())
        return _instance[1]


def _attach(
    path: Path, read_only: bool, wait_seconds: float, on_wait: Callable[[str], None] | None
) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A connection of this process's instance working in ``path``, attached under an
    alias of its own; and that alias."""
    import duckdb

    connection = warehouse_instance().cursor()
    alias = f"tailor_{next(_aliases)}"
    mode = " (READ_ONLY)" if read_only else ""
    deadline = time.monotonic() + wait_seconds
    delay = _FIRST_DELAY
    while True:
        try:
            connection.execute(f"ATTACH ? AS {alias}{mode}", [str(path)]).fetchall()
            connection.execute(f"USE {alias}").fetchall()
            return connection, alias
        except duckdb.IOException as error:
            if on_wait and delay == _FIRST_DELAY and _is_lock_conflict(error):
                on_wait(f"waiting up to {wait_seconds:.0f}s for {path}: {error}")
            if not _is_lock_conflict(error) or time.monotonic() >= deadline:
                connection.close()
                if _is_lock_conflict(error):
                    raise WarehouseError(
                        f"Waited {wait_seconds:.0f}s for the warehouse lock on {path} and "
                        f"another process still holds it. DuckDB says: {error}. Close that "
                        "process's connection (often a notebook) and re-run."
                    ) from error
                raise
            time.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, _MAX_DELAY)


@contextmanager
def warehouse_connection(
    path: Path,
    *,
    read_only: bool,
    wait_seconds: float = LOCK_WAIT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open ``path`` for one unit of work and always close it afterwards; ``on_wait`` hears
    once, with DuckDB's message naming the holder, if another process holds the file."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    connection, alias = _attach(path, read_only, wait_seconds, on_wait)
    try:
        yield connection
    finally:
        with suppress(duckdb.Error):  # a transaction the work left open, if any
            connection.execute("ROLLBACK")
        connection.execute("USE memory")
        connection.execute(f"DETACH {alias}")
        connection.close()
