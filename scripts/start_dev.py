"""`make dev`'s launcher: refuse to start when HOST:PORT is taken or the instance is already
served, print where the UI serves, where runs write and which instance records them, then
run the given command (`dagster dev ...`) until it ends.

    python scripts/start_dev.py --host 127.0.0.1 --port 3000 [--instance DIR] [--banner]
        [--check-warehouse] -- CMD

A second `make dev` would start a second daemon on the same instance (duplicate schedule
ticks, sensors and alerts), so it is refused before anything starts: one line, exit 1.
``--instance`` locks that folder for as long as the command runs (the lock goes with its
process, however it ends). Ctrl-C stops the command even when Python swallowed it: a
SIGINT that lands in a garbage-collection callback while dagster dev starts is printed as
"Exception ignored" and lost, so an interrupt the command outlives is repeated, then ends it.
"""

import argparse
import errno
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.errors import TailorError
from platform_lib.settings import landing_dir, warehouse_dir
from platform_lib.warehouse.layout import SANDBOX_FOLDER
from platform_lib.warehouse.migration import unmigrated_files


def port_taken(host: str, port: int) -> bool:
    """Whether a server listens on ``host:port`` (bound as the webserver binds it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            sys.exit(f"make dev cannot serve on {host}:{port}: {error.strerror}; check HOST")
    return False


def hold_instance(home: Path) -> None:
    """Lock ``home`` for this process and the command it becomes; refuse when another
    make dev holds it."""
    home.mkdir(parents=True, exist_ok=True)
    lock = os.open(home / ".make_dev.lock", os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(
            f"the instance {home} is served by another make dev (on another port?): stop it "
            "first; two daemons on one instance tick every schedule and sensor twice"
        )
    os.set_inheritable(lock, True)  # the command holds it too, until it exits


INTERRUPT_AGAIN_AFTER = 15.0  # seconds: a clean dagster dev shutdown starts well before
TERMINATE_AFTER = 60.0  # and ends well before: its subprocesses get 10 s each


def run_until_stopped(command: list[str]) -> int:
    """Run ``command`` and return its exit code; after Ctrl-C (or SIGTERM) it is sent SIGINT
    again when still running INTERRUPT_AGAIN_AFTER seconds later, SIGTERM after
    TERMINATE_AFTER."""
    child = subprocess.Popen(command, close_fds=False)  # inherits the instance's lock
    stop_asked: list[float] = []

    def asked_to_stop(signum: int, _frame) -> None:
        if signum == signal.SIGTERM:  # not sent to the whole group as Ctrl-C is
            child.send_signal(signal.SIGINT)
        stop_asked.append(time.monotonic())

    signal.signal(signal.SIGINT, asked_to_stop)
    signal.signal(signal.SIGTERM, asked_to_stop)
    escalation = [(INTERRUPT_AGAIN_AFTER, signal.SIGINT), (TERMINATE_AFTER, signal.SIGTERM)]
    while True:
        try:
            code = child.wait(timeout=1)
            return code if code >= 0 else 128 - code
        except subprocess.TimeoutExpired:
            pass
        if stop_asked and escalation and time.monotonic() - stop_asked[0] > escalation[0][0]:
            child.send_signal(escalation.pop(0)[1])


def refuse_an_old_warehouse() -> None:
    """Refuse to start on the DuckDB-file warehouse not yet moved into the lake: its runs
    would start empty lakes beside the old files."""
    old = unmigrated_files(warehouse_dir())
    if old:
        sys.exit(
            f"the warehouse {warehouse_dir()} is in the old layout (a DuckDB file per team): "
            f"{', '.join(path.name for path in old)} not moved into the lake yet. Run "
            "`.venv/bin/tailor warehouse migrate` first (it keeps every table and row, and "
            "leaves the old files in place), then make dev again"
        )


def banner(host: str, port: int, environment: RunEnvironment) -> str:
    """Where the UI serves, where runs write (in dev: your sandbox) and the instance."""
    warehouse = warehouse_dir()
    if environment.is_dev:
        sampling = environment.sampling
        sample = f", sample {sampling.describe()}" if sampling.active else ""
        past = f" as of {environment.as_of.says()}" if environment.as_of else ""
        writes = (
            f"environment: dev{sample}: runs write your sandbox, <team>__dev_{environment.user}, "
            f"in {warehouse / SANDBOX_FOLDER} (production is only read{past})"
        )
    else:
        writes = (
            "environment: prod (make dev TAILOR_ENV=dev [TAILOR_SAMPLE=0.2] writes to your "
            "sandbox instead)"
        )
    lines = [
        f"Tailor is starting: open http://{host}:{port} (Ctrl-C stops everything)",
        f"warehouse: {warehouse}    landing zone: {landing_dir()}",
        writes,
        f"instance (runs, schedules, sensors): {os.environ.get('DAGSTER_HOME', '')}",
    ]
    return "\n" + "\n".join(f"  {line}" for line in lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--instance", type=Path, help="the Dagster instance's folder to lock")
    parser.add_argument("--banner", action="store_true", help="print where make dev serves")
    parser.add_argument(
        "--check-warehouse", action="store_true", help="refuse an old layout not migrated"
    )
    parser.add_argument("command", nargs="+", help="what to run once the checks pass")
    arguments = parser.parse_args()
    if port_taken(arguments.host, arguments.port):
        sys.exit(
            f"port {arguments.port} on {arguments.host} is in use: another make dev? stop it, "
            f"or make dev PORT={arguments.port + 300}"
        )
    if arguments.check_warehouse:
        refuse_an_old_warehouse()
    if arguments.instance:
        hold_instance(arguments.instance)
    if arguments.banner:
        try:
            environment = RunEnvironment.current()
        except TailorError as error:
            sys.exit(str(error))
        print(banner(arguments.host, arguments.port, environment), flush=True)
    sys.exit(run_until_stopped(arguments.command))


if __name__ == "__main__":
    main()
