"""The processes a test starts die with the test session even when pytest is SIGKILLed
(tests/processes.py): an inner pytest starts what the e2e tests start (a process group of
its own with children, a daemon in a session of its own, a LocalPostgres cluster), is
killed, and nothing of it is left, the cluster's port free."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from platform_lib.settings import REPO_ROOT
from tests.conftest import port_free, unused_port
from tests.processes import MARK_PREFIX, alive, marked

INNER = """
import json, os, signal, subprocess
from pathlib import Path
from platform_lib.deploy.postgres import LocalPostgres

def test_starts_processes_then_waits_to_be_killed(tmp_path):
    cluster = LocalPostgres(Path(os.environ["INNER_CLUSTER"]), port=int(os.environ["INNER_PORT"]))
    cluster.start()
    group = subprocess.Popen(  # a group of its own, as make and dagster dev get, with a
        ["sh", "-c", "sleep 600 & setsid sleep 600 & echo $!; wait"],  # daemon's session
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    daemon = int(group.stdout.readline())
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(
        ["pgrep", "-P", f"{group.pid},{postmaster}"], capture_output=True, text=True
    ).stdout.split()
    pids = [group.pid, daemon, postmaster, *map(int, children)]
    (tmp_path / "pids").write_text(json.dumps(pids))
    (tmp_path / "pids").rename(os.environ["INNER_PIDS"])  # whole, at once
    signal.pause()  # until killed
"""


def test_a_sigkilled_session_leaves_no_process_and_frees_the_port(tmp_path):
    (tmp_path / "test_inner.py").write_text(INNER)
    cluster = Path(tempfile.mkdtemp(prefix="tailor-pg-"))  # where the server's user reaches
    port, log, pids = unused_port(), tmp_path / "inner.log", tmp_path / "pids.json"
    inner = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.processes",
         "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path / "test_inner.py")],
        cwd=tmp_path, stdout=log.open("w"), stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "INNER_CLUSTER": str(cluster),
             "INNER_PORT": str(port), "INNER_PIDS": str(pids)},
    )  # fmt: skip
    mark = f"{MARK_PREFIX}{inner.pid}"
    try:
        deadline = time.monotonic() + 120
        while not pids.exists():
            assert inner.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        started = json.loads(pids.read_text())
        assert len(started) >= 5 and all(map(alive, started[:3])), started  # postgres's too
        assert not port_free(port)

        inner.send_signal(signal.SIGKILL)
        inner.wait()
        deadline = time.monotonic() + 30
        while (left := [p for p in started if alive(p)] + marked(mark)) or not port_free(port):
            assert time.monotonic() < deadline, f"left running: {left}, port {port} in use"
            time.sleep(0.1)
    finally:
        inner.kill()
        shutil.rmtree(cluster, ignore_errors=True)
