"""Short-lived DuckDB connections that wait politely for the single-writer lock.

DuckDB allows one read-write process, or many read-only ones, per database file. Tailor
never holds a connection longer than one read or one write, and when another process
holds the lock it retries with jittered exponential backoff until a deadline, then fails
with an error naming the process that holds it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lib.errors import WarehouseError

if TYPE_CHECKING:  # duckdb is imported when a run needs it, not at load
    import duckdb

LOCK_WAIT_SECONDS = 120.0
_FIRST_DELAY = 0.05
_MAX_DELAY = 2.0


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "Could not set lock on file" in str(error) or "Conflicting lock" in str(error)


def _open(
    path: Path, read_only: bool, wait_seconds: float, on_wait: Callable[[str], None] | None
) -> duckdb.DuckDBPyConnection:
    import duckdb

    deadline = time.monotonic() + wait_seconds
    delay = _FIRST_DELAY
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if on_wait and delay == _FIRST_DELAY and _is_lock_conflict(error):
                on_wait(f"waiting up to {wait_seconds:.0f}s for {path}: {error}")
            if not _is_lock_conflict(error) or time.monotonic() >= deadline:
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
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = _open(path, read_only, wait_seconds, on_wait)
    try:
        yield connection
    finally:
        connection.close()
