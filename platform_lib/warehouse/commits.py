"""Commits that survive other writers of a lake.

SQLite lets one of two overlapping transactions of a lake commit and refuses the other
("database is locked"); DuckLake refuses conflicting changes of one table. Either way nothing
of the refused transaction is kept, so ``commit_retrying`` runs the whole transaction again,
after jittered backoff, until a deadline; neither commit is lost. The lake's writer lock
keeps retries from losing forever: first attempts share it, a retry holds it alone, as does
removing a sandbox's lake.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from platform_lib.errors import WarehouseError

if TYPE_CHECKING:
    from platform_lib.warehouse.lake import Lake

LOCK_WAIT_SECONDS = 120.0
FIRST_DELAY = 0.05
MAX_DELAY = 2.0
"""Jittered backoff: the first wait, doubling up to this one."""
T = TypeVar("T")


def commit_retrying(
    lake: Lake,
    transaction: Callable[[], T],
    *,
    wait_seconds: float = LOCK_WAIT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
) -> T:
    """Run ``transaction`` (which begins and commits its own DuckDB transaction in ``lake``,
    and leaves nothing behind when it fails) until it commits: a commit another writer won
    is retried whole, after backoff and holding the lake's writer lock. ``on_wait`` hears
    once, when the first attempt lost. A commit the catalog refused this user is explained."""
    deadline = time.monotonic() + wait_seconds
    delay, attempt = FIRST_DELAY, 0
    while True:
        try:
            with lake.writer_lock(deadline - time.monotonic(), shared=not attempt):
                return transaction()
        except Exception as error:
            if not is_commit_conflict(error):
                refused = lake.refusal(error)
                if refused is not None:
                    raise refused from error
                raise
            if time.monotonic() >= deadline:
                raise WarehouseError(
                    f"Another writer of the lake {lake.name!r} ({lake}) kept committing for "
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


def first_line(error: BaseException) -> str:
    """The last non-empty line of ``error``'s message: DuckDB's own words."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(error).__name__
