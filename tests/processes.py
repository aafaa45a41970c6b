"""Every process a test starts dies with the test session, even when pytest is killed
(SIGKILL included).

At its start the session marks its own environment (``TAILOR_TEST_SESSION_<pid>=1``), so
every process started from it inherits the mark: `make`, Supervisor and the programs it
runs in sessions of their own, `dagster dev` and its code servers, the runs they launch,
the postmaster `pg_ctl` starts as a daemon. A watchdog, a process of its own session (a
terminal's Ctrl-C or a kill of pytest's group does not reach it), waits on the session's
pid (a pidfd) and, once the session has ended however it ended, stops every PostgreSQL
postmaster carrying the mark as ``pg_ctl stop -m immediate`` does (SIGQUIT: its server
processes, which rewrite their own environment, end with it), then kills every other
marked process with SIGKILL, round after round, until none is left.

A pytest plugin (``pytest_plugins`` in tests/conftest.py, or ``-p tests.processes``); run
as a script, the watchdog: ``python processes.py <session pid> <mark>``.
"""

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

MARK_PREFIX = "TAILOR_TEST_SESSION_"
GRACE = 10.0  # seconds an immediate shutdown, then the SIGKILL rounds, may take


def end_with_the_session() -> str:
    """Mark this process's environment and start the watchdog for it (once per process);
    returns the mark's variable name."""
    mark = f"{MARK_PREFIX}{os.getpid()}"
    if os.environ.get(mark) != "1":
        os.environ[mark] = "1"
        subprocess.Popen(
            [sys.executable, __file__, str(os.getpid()), mark],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return mark


def pytest_configure(config) -> None:
    """The session's start: the watchdog writes to the terminal, not to pytest's capture."""
    with config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        end_with_the_session()


def marked(mark: str) -> list[int]:
    """The pids of live processes whose environment carries ``mark``."""
    return with_environment(f"{mark}=1")


def with_environment(entry: str) -> list[int]:
    """The pids of processes started with ``entry`` (``NAME=value``) in their environment
    (zombies excluded: they hold nothing and their environment reads empty)."""
    needle = entry.encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone, or not ours to read
            continue
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` is a process that still runs (not gone, not a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _postmaster(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"
    except OSError:
        return False


def _signal(pids: list[int], number: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):  # already gone
            os.kill(pid, number)


def sweep(mark: str) -> list[int]:
    """Stop every process carrying ``mark`` but this one; returns the pids found."""
    found: set[int] = set()
    postmasters = [pid for pid in marked(mark) if pid != os.getpid() and _postmaster(pid)]
    _signal(postmasters, signal.SIGQUIT)  # pg_ctl stop -m immediate
    found.update(postmasters)
    deadline = time.monotonic() + GRACE
    while any(map(alive, postmasters)) and time.monotonic() < deadline:
        time.sleep(0.05)
    deadline = time.monotonic() + GRACE
    while (left := [pid for pid in marked(mark) if pid != os.getpid()]) and (
        time.monotonic() < deadline  # not forever on a process it may not signal
    ):
        found.update(left)  # a round at a time: a dying parent may start one more child
        _signal(left, signal.SIGKILL)
        time.sleep(0.05)
    return sorted(found)


def wait_for_exit(pid: int) -> None:
    """Block until process ``pid`` has ended."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except OSError:  # a kernel without pidfds (before Linux 5.3): poll
        while alive(pid):
            time.sleep(0.5)
        return
    try:
        select.select([handle], [], [])
    finally:
        os.close(handle)


def watch(session: int, mark: str) -> None:
    for stop in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(stop, signal.SIG_IGN)  # only the session's end ends this process
    wait_for_exit(session)
    if left := sweep(mark):
        print(f"tests/processes.py: stopped {len(left)} process(es) the test session "
              f"{session} left running: {left}", file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    watch(int(sys.argv[1]), sys.argv[2])
