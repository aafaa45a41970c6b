"""A machine of a deployment sharing one lake, simulated for end-to-end tests: its own folder
(working folder, warehouse, DAGSTER_HOME with a real on-disk instance) and its own processes,
each connecting to the shared catalog as a role; what it shares with other hosts is only the
PostgreSQL server and the lake's data folder. Every process it starts dies with the test
process (a parent-death signal), and the fixture that made the host kills what is left."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from dagster import DagsterInstance

from platform_lib.settings import LANDING_ENV, READER_ROLE, WAREHOUSE_ENV, lake_role
from tests.lake_server import LakeServer

BIN = Path(sys.executable).parent
RUN_SECONDS = 300.0
"""The most one process may take, on a loaded machine; waits end as soon as it is done."""

WRITE = """
import logging, sys, time
from pathlib import Path
import pandas as pd
from dagster import AssetKey
from platform_lib import open_warehouse
from platform_lib.warehouse.io_manager import WarehouseIOManager
from platform_lib.warehouse.write_request import WriteRequest

asset, copies, signal_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
team, name = asset.split("/")
with open_warehouse() as warehouse:  # the table's columns, so no change is breaking
    current = warehouse.sql(f"SELECT * FROM {team}.{name}").df()
frame = pd.concat([current] * copies) if copies else current.head(7)

def in_the_commit(connection, table):  # the data files are written, the catalog not yet
    if signal_file:
        Path(signal_file).write_text("in the commit")
        time.sleep(600)  # killed here
    return True

request = WriteRequest(AssetKey([team, name]), frame, run_id="hand", before_commit=in_the_commit)
stored = WarehouseIOManager(team=team).store(request, logging.getLogger())
print(stored["tailor/version"].value)
"""
"""Write ``asset`` as a host's process: its current rows repeated ``copies`` times (0: its
first 7 rows); with a signal file, signal from inside the commit and block there."""

READ = """
import json, sys
from platform_lib import open_warehouse
tables, as_of, go = sys.argv[1].split(","), sys.argv[2] or None, sys.argv[3]
with open_warehouse(as_of=as_of) as warehouse:
    def counts():
        return {t: warehouse.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}
    print(json.dumps(counts()), flush=True)
    if go:  # hold the connection open until told, then read again
        sys.stdin.readline()
        print(json.dumps(counts()), flush=True)
"""
"""Count the rows of ``team.asset`` tables through ``open_warehouse`` (at ``as_of``)."""


def die_with_parent() -> None:
    """In the child: SIGKILL it when the test process dies, even by SIGKILL."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass
class Host:
    """One machine: its folder (cwd, warehouse, DAGSTER_HOME); the shared server and data."""

    name: str
    folder: Path
    server: LakeServer
    data: Path
    landing: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def dagster_home(self) -> Path:
        return self.folder / "dagster_home"

    def env(self, role: str) -> dict[str, str]:
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("TAILOR_", "DAGSTER_"))
        }
        return {
            **inherited,
            **self.server.env(role, self.data),
            "DAGSTER_HOME": str(self.dagster_home),
            WAREHOUSE_ENV: str(self.folder / "warehouse"),
            LANDING_ENV: str(self.landing),
        }

    def start(self, role: str, *command: str, stdin: bool = False) -> subprocess.Popen:
        """A process of this host (started from this thread, so it dies with the test)."""
        process = subprocess.Popen(
            command, cwd=self.folder, env=self.env(role), text=True,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=die_with_parent, start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def materialize(self, team: str, assets: list[str]) -> subprocess.Popen:
        module = f"teams.{team}.definitions"
        return self.start(
            lake_role(team), str(BIN / "dagster"), "asset", "materialize", "-m", module,
            "--select", ",".join(assets),
        )  # fmt: skip

    def kill_all(self) -> None:
        """Kill every process of this host still running, with its children."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def python(self, role: str, script: str, *args: str, **options) -> subprocess.Popen:
        return self.start(role, sys.executable, "-c", script, *args, **options)

    def tailor(self, role: str, *args: str) -> str:
        return finish(self.start(role, str(BIN / "tailor"), *args))

    def read(self, tables: list[str], as_of: str = "") -> dict[str, int]:
        """Row counts as the reader sees them from this host, through ``open_warehouse``."""
        output = finish(self.python(READER_ROLE, READ, ",".join(tables), as_of, ""))
        return json.loads(output)

    def history(self, asset: str) -> list[dict]:
        return json.loads(self.tailor(READER_ROLE, "table", "history", asset, "--json"))

    def instance(self) -> DagsterInstance:
        return DagsterInstance.from_config(str(self.dagster_home))


def finish(process: subprocess.Popen) -> str:
    """The process's output once it succeeded; its error output if it failed."""
    try:
        out, err = process.communicate(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    assert process.returncode == 0, f"{process.args[:6]} failed:\n{err[-3000:]}"
    return out


def wait_for(condition, what: str, process: subprocess.Popen | None = None) -> None:
    """Poll ``condition`` until true; fail at once if ``process`` ended first."""
    deadline = time.monotonic() + RUN_SECONDS
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"{what}: the process ended first:\n{process.stderr.read()[-3000:]}")
        assert time.monotonic() < deadline, f"{what}: not after {RUN_SECONDS:.0f}s"
        time.sleep(0.05)
