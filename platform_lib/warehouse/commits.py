"""Commits that survive other writers of a lake, and the lake's writer lock.

SQLite lets one of two overlapping transactions of a lake commit and refuses the other
("database is locked"); DuckLake refuses conflicting changes of one table. Either way nothing
of the refused transaction is kept, so ``commit_retrying`` runs the whole transaction again,
after jittered backoff, until a deadline; neither commit is lost. The lake's writer lock (a
file lock beside the catalog) keeps retries from losing forever: first attempts share it, a
retry holds it alone, as does removing a sandbox's lake.
"""

from __future__ import annotations

import fcntl
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from platform_lib.errors import WarehouseError

LOCK_WAIT_SECONDS = 120.0
FIRST_DELAY = 0.05
MAX_DELAY = 2.0
"""Jittered backoff: the first wait, doubling up to this one."""
LOCK_SUFFIX = ".lock"
T = TypeVar("T")


def commit_retrying(
    catalog: Path,
    transaction: Callable[[], T],
    *,
    wait_seconds: float = LOCK_WAIT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
) -> T:
    """Run ``transaction`` (which begins and commits its own DuckDB transaction in the lake
    of ``catalog``, and leaves nothing behind when it fails) until it commits: a commit
    another writer won is retried whole, after backoff and holding the lake's writer lock.
    ``on_wait`` hears once, when the first attempt lost."""
    deadline = time.monotonic() + wait_seconds
    delay, attempt = FIRST_DELAY, 0
    while True:
        try:
            with writer_lock(catalog, deadline - time.monotonic(), shared=not attempt):
                return transaction()
        except Exception as error:
            if not is_commit_conflict(error):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseError(
                    f"Another writer of the lake {catalog} kept committing for "
                    f"{wait_seconds:.0f}s, so this write could not; nothing was written. "
                    f"DuckDB says: {first_line(error)}. Re-run; if it keeps happening, look "
                    "for a process writing this team's tables in a loop."
                ) from error
            if on_wait and attempt == 0:
                on_wait(f"another write committed first ({first_line(error)}); retrying")
        attempt += 1
        time.sleep(random.uniform(delay / 2, delay))
        delay = min(delay * 2, MAX_DELAY)


def is_commit_conflict(error: BaseException) -> bool:
    """Whether ``error`` is a commit refused because another writer committed first (SQLite's
    "database is locked", DuckLake's transaction conflicts): a retry can succeed."""
    import duckdb

    message = str(error)
    return any(sign in message for sign in _CONFLICT_SIGNS) or (
        isinstance(error, duckdb.TransactionException) and "onflict" in message
    )


_CONFLICT_SIGNS = (
    "database is locked",  # SQLite: another writer committed during this transaction
    "Failed to load DuckLake",  # its catalog changed under this commit's conflict check
)


@contextmanager
def writer_lock(catalog: Path, wait_seconds: float, *, shared: bool = False) -> Iterator[None]:
    """The lake's writer lock (``<catalog>.lock``), alone or ``shared`` with other writers,
    polled for up to ``wait_seconds``."""
    deadline = time.monotonic() + wait_seconds
    catalog.parent.mkdir(parents=True, exist_ok=True)
    with open(catalog.with_name(catalog.name + LOCK_SUFFIX), "a") as file:
        delay = FIRST_DELAY
        while True:
            try:
                fcntl.flock(file, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseError(
                        f"Waited {wait_seconds:.0f}s for the writer lock of the lake {catalog}; "
                        "another process writing it holds it. Nothing was changed. Re-run."
                    ) from None
                time.sleep(random.uniform(delay / 2, delay))
                delay = min(delay * 2, MAX_DELAY)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


def lake_files(catalog: Path) -> list[Path]:
    """The files of a lake's catalog: the SQLite file, its log and its writer lock."""
    return [
        catalog.with_name(catalog.name + suffix) for suffix in ("", "-wal", "-shm", LOCK_SUFFIX)
    ]


def first_line(error: BaseException) -> str:
    """The last non-empty line of ``error``'s message: DuckDB's own words."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(error).__name__
