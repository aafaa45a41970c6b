"""Waits that depend on progress, not on fixed times. A wait polls for what the test needs;
it gives up only when nothing has progressed for a while (what it sees is unchanged and so
is its ``activity``: a run's events still arriving, a log still growing), or at a far
limit. Its failure says what it waited for, what it last saw, and shows the tail of each
log to read. On a machine shared with other suites everything is slower, not stuck: the
waits follow."""

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

Seen = TypeVar("Seen")

PATIENCE = 240.0  # seconds without any sign of progress before a wait gives up
LIMIT = 1800.0  # seconds a wait may last however busy it looks (pytest's timeout is the last)
TAIL_LINES = 30


class WaitFailed(AssertionError):
    """A wait gave up: what it waited for, why, what it last saw, and the logs to read."""


def wait_for(
    what: str,
    look: Callable[[], Seen],
    done: Callable[[Seen], bool] = bool,
    *,
    logs: Callable[[], Iterable[Path]] = tuple,
    activity: Callable[[], object] = lambda: None,
    alive: Callable[[], bool] = lambda: True,
    patience: float = PATIENCE,
    interval: float = 1.0,
) -> Seen:
    """Poll ``look()`` until ``done`` holds for what it returns, and return that. An
    ``OSError`` from ``look`` (a server still starting) counts as not done yet. Gives up
    when ``alive()`` turns false, when neither what is seen nor ``activity()`` has changed
    for ``patience`` seconds, or after LIMIT; the failure shows the tail of ``logs()``."""
    started = changed = time.monotonic()
    state, seen = None, None
    while True:
        if not alive():
            raise WaitFailed(_report(what, "the process serving it has ended", seen, logs()))
        try:
            seen = look()
            if done(seen):
                return seen
        except OSError as error:
            seen = f"{type(error).__name__}: {error}"
        now = time.monotonic()
        current = (repr(seen), activity())
        if current != state:
            state, changed = current, now
        if now - changed > patience:
            reason = f"nothing progressed for {patience:g} s (waited {now - started:.0f} s)"
            raise WaitFailed(_report(what, reason, seen, logs()))
        if now - started > LIMIT:
            reason = f"still not done after {LIMIT:.0f} s, though progressing"
            raise WaitFailed(_report(what, reason, seen, logs()))
        time.sleep(interval)


def tail(log: Path, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of ``log``, or why there are none."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(unreadable: {error})"


def sizes(*files: Path) -> tuple[int, ...]:
    """The sizes of ``files`` (-1 for one not there yet): an activity, for a log that grows."""
    return tuple(file.stat().st_size if file.exists() else -1 for file in files)


def _report(what: str, reason: str, seen: object, logs: Iterable[Path]) -> str:
    shown = repr(seen)
    shown = shown if len(shown) <= 2000 else shown[:2000] + "..."
    parts = [f"waited for {what}: {reason}; last seen: {shown}"]
    for log in logs:
        parts.append(f"--- {log} (last {TAIL_LINES} lines) ---\n{tail(log)}")
    return "\n".join(parts)
