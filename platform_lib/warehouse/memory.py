"""A run's memory budget: DuckDB's memory limit, and the folder it spills to.

A process that runs assets holds two DuckDB instances (``connection``): its own, where eager
inputs are read and frames written, and DuckDB's default connection, where lazy inputs and
the relations built from them run. Each gets the run's limit (``run_limit``) and a spill
folder of its own under the process's folder in ``settings.spill_root()``: a query whose
working set exceeds the limit spills there instead of failing, and the folder is removed when
the process ends. An eager input bigger than the limit is refused before it is fetched
(``reads.select_rows``), since DuckDB does not count what it hands to Python.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from multiprocessing import util
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lib.errors import WarehouseError
from platform_lib.settings import RUN_MEMORY_ENV, SPILL_DIR_ENV, run_memory, spill_root
from platform_lib.sql import quote_literal

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

MEMORY_TAG = "tailor/memory_limit"
"""The run tag showing a run's limit."""
DEFAULT_SHARE = 0.25
"""The default limit, as a share of the host's memory (of the container's, when it has a
limit): several runs share a host, so DuckDB's own default (80% per instance) would not leave
them room."""
THREAD_MEMORY = 512 * 2**20
"""The memory each DuckDB thread is given at least: a limit too small for every core's
buffers runs on fewer threads (DuckDB's advice for larger-than-memory work), so that a query
spills rather than running out."""
_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4}
_UNITS |= {"kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}
_SIZE = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[a-z]*)\s*$", re.IGNORECASE)
_CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")

_process: dict[str, object] = {"pid": None, "folder": None, "run": None}


def run_limit(configured: str | None = None) -> str:
    """The memory limit of each DuckDB instance of a run: ``configured`` (the IO manager's
    ``memory_limit``), else ``$TAILOR_RUN_MEMORY``, else ``DEFAULT_SHARE`` of the host's."""
    limit = configured or run_memory() or f"{int(host_memory() * DEFAULT_SHARE) // 2**20}MiB"
    size_in_bytes(limit)  # refused here, named, rather than by DuckDB mid-run
    return limit


def size_in_bytes(size: str) -> int:
    """``4GB``, ``512MiB``, DuckDB's ``61.0 MiB``: in bytes (GB counts 1000s, GiB 1024s, as
    DuckDB does)."""
    match = _SIZE.match(size)
    if match is None or match.group("unit").lower() not in _UNITS:
        raise WarehouseError(
            f"Memory limit {size!r} is not a size: write it as DuckDB does, e.g. 4GB or "
            f"512MiB (set by {RUN_MEMORY_ENV} or the warehouse's memory_limit)."
        )
    return int(float(match.group("number")) * _UNITS[match.group("unit").lower()])


def shown(size: int) -> str:
    """``size`` bytes as a person reads them: ``1.5 GiB``, ``64.0 MiB``."""
    for unit in ("TiB", "GiB", "MiB", "KiB"):
        if size >= _UNITS[unit.lower()]:
            return f"{size / _UNITS[unit.lower()]:.1f} {unit}"
    return f"{size} bytes"


def host_memory() -> int:
    """The memory this process may use: the host's, or its container's (cgroup) limit when
    lower."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for path in _CGROUP_LIMITS:
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            memory = min(memory, int(text))
    return memory


def note_run(run_id: str) -> None:
    """Name this process's spill folder after the run it works for, if it has none yet."""
    if _process["pid"] != os.getpid():
        _process.update(pid=os.getpid(), folder=None, run=run_id)


def spill_folder() -> Path:
    """This process's spill folder (its run's id and the pid), removed when it ends. DuckDB
    creates each instance's folder inside on its first spill."""
    if _process["pid"] != os.getpid() or _process["folder"] is None:
        run = _process["run"] if _process["pid"] == os.getpid() else None
        name = (
            f"run-{run}-{os.getpid()}" if run else f"process-{uuid.uuid4().hex[:8]}-{os.getpid()}"
        )
        folder = spill_root() / name
        _remove_folders_of_ended_processes(spill_root())
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WarehouseError(
                f"DuckDB's spill folder {folder} cannot be made ({error.strerror}): set "
                f"{SPILL_DIR_ENV} to a folder this user may write."
            ) from error
        _process.update(pid=os.getpid(), folder=folder, run=run)
        # multiprocessing's finalizers run at the exit of the process that made them (atexit
        # for the main one, its own exit for a child), never in a forked child
        util.Finalize(None, shutil.rmtree, (folder,), {"ignore_errors": True}, exitpriority=0)
    return _process["folder"]


def _remove_folders_of_ended_processes(root: Path) -> None:
    """Remove the spill folders of processes of this host that ended without removing their
    own (killed: SIGKILL, out of memory)."""
    for folder in [*root.glob("run-*"), *root.glob("process-*")]:
        pid = folder.name.rsplit("-", 1)[-1]  # every name ends with its process's pid
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def configure(connection: duckdb.DuckDBPyConnection, instance: str) -> None:
    """Give a fresh DuckDB instance the run's limit and its spill folder (``instance`` names
    it inside the process's folder: two instances must not share one)."""
    limit_memory(connection, run_limit())
    folder = quote_literal(str(spill_folder() / instance))
    connection.execute(f"SET temp_directory = {folder}")


def limit_memory(connection: duckdb.DuckDBPyConnection, limit: str) -> None:
    """Set ``limit`` on ``connection``'s instance, and as many threads (up to DuckDB's
    default, one per core) as it leaves ``THREAD_MEMORY`` each."""
    connection.execute(f"SET memory_limit = {quote_literal(limit)}")
    connection.execute("RESET threads")
    (cores,) = connection.execute("SELECT current_setting('threads')").fetchone()
    connection.execute(
        f"SET threads = {max(1, min(int(cores), size_in_bytes(limit) // THREAD_MEMORY))}"
    )


def limit_of(connection: duckdb.DuckDBPyConnection) -> int:
    """The memory limit of ``connection``'s instance, in bytes."""
    (limit,) = connection.execute("SELECT current_setting('memory_limit')").fetchone()
    return size_in_bytes(limit)


def announce(limit: str) -> str:
    """The log line a run starts with: its limit and where it spills."""
    return (
        f"DuckDB memory limit {shown(size_in_bytes(limit))} per instance ({RUN_MEMORY_ENV} or "
        f"the warehouse's memory_limit sets it); larger queries spill to {spill_folder()}"
    )
