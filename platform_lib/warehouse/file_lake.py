"""A lake whose catalog is a SQLite file: each team's in the embedded profile, every sandbox.

The catalog ``<folder>/<name>.sqlite`` runs in SQLite's WAL mode, so a reader and the writer
never wait for each other; the Parquet files are in the folder beside it, named like it. The
writer lock is a file lock beside the catalog, and a pin is a locked file in
``<catalog>.pins/``: both belong to the machine the lake is on.
"""

from __future__ import annotations

import fcntl
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lib.errors import WarehouseError
from platform_lib.settings import WAREHOUSE_ENV
from platform_lib.sql import quote_literal
from platform_lib.warehouse.commits import FIRST_DELAY, MAX_DELAY, first_line
from platform_lib.warehouse.lake import attach_sql, unwritable_folder

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

LOCK_SUFFIX = ".lock"


@dataclass(frozen=True)
class FileLake:
    """The lake whose catalog is the SQLite file ``catalog``."""

    catalog: Path

    @property
    def name(self) -> str:
        return self.catalog.stem

    @property
    def data_path(self) -> str:
        """The folder of its Parquet files: beside the catalog, named like it."""
        return str(self.catalog.with_suffix("")) + os.sep

    def __str__(self) -> str:
        return str(self.catalog)

    def exists(self) -> bool:
        return self.catalog.is_file()

    def prepare(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Nothing to set up: the catalog is a file this process opens itself."""

    def attach_sql(self, alias: str, *, read_only: bool, version: int | None = None) -> str:
        """The ``ATTACH`` of the lake as ``alias``. The data path is always the folder beside
        the catalog, so a warehouse folder that was moved or copied still reads its files."""
        target = f"ducklake:sqlite:{self.catalog}"
        return attach_sql(target, self.data_path, alias, read_only=read_only, version=version)

    def create(self, connection: duckdb.DuckDBPyConnection, wait_seconds: float) -> None:
        """Create the lake if it does not exist: its SQLite file, in WAL mode, and DuckLake's
        tables in it, made whole under another name and then renamed, so no process ever
        opens a half-made lake."""
        catalog = self.catalog
        if catalog.is_file():
            return
        try:
            catalog.parent.mkdir(parents=True, exist_ok=True)
            with self.writer_lock(wait_seconds):
                if catalog.is_file():
                    return
                draft = FileLake(catalog.with_name(f".{catalog.name}.{os.getpid()}.new"))
                for file in draft.files():
                    file.unlink(missing_ok=True)
                with closing(sqlite3.connect(draft.catalog)) as database:
                    database.execute("PRAGMA journal_mode=WAL")
                target = quote_literal(f"ducklake:sqlite:{draft.catalog}")
                options = f"DATA_PATH {quote_literal(self.data_path)}"
                connection.execute(f"ATTACH {target} AS tailor_new ({options})")
                connection.execute("DETACH tailor_new")
                with closing(sqlite3.connect(draft.catalog)) as database:  # log folded in
                    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                os.replace(draft.catalog, catalog)
                for file in draft.files()[1:]:
                    file.unlink(missing_ok=True)
        except PermissionError as error:  # a folder on the way this user may not enter
            raise self.unopenable(error, read_only=False) from error

    @contextmanager
    def writer_lock(self, wait_seconds: float, *, shared: bool = False) -> Iterator[None]:
        """The lake's writer lock (``<catalog>.lock``), alone or ``shared`` with other
        writers, polled for up to ``wait_seconds``."""
        deadline = time.monotonic() + wait_seconds
        self.catalog.parent.mkdir(parents=True, exist_ok=True)
        with open(self.catalog.with_name(self.catalog.name + LOCK_SUFFIX), "a") as file:
            delay = FIRST_DELAY
            while True:
                try:
                    fcntl.flock(file, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WarehouseError(
                            f"Waited {wait_seconds:.0f}s for the writer lock of the lake "
                            f"{self.catalog}; another process writing it holds it. Nothing was "
                            "changed. Re-run."
                        ) from None
                    time.sleep(random.uniform(delay / 2, delay))
                    delay = min(delay * 2, MAX_DELAY)
            try:
                yield
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)

    @contextmanager
    def pin(self, version: int) -> Iterator[None]:
        """Keep ``version`` from being expired while inside: a file in ``<catalog>.pins/``
        locked by this process (a pin left by a process that died holds no lock)."""
        folder = self._pins_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{int(version)}.{os.getpid()}.{id(object())}"
        with open(path, "w") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                path.unlink(missing_ok=True)

    def pinned_versions(self) -> set[int]:
        """The versions pinned by a live process (dead pins are removed)."""
        pinned = set()
        for path in sorted(self._pins_folder().glob("*.*")):
            with suppress(OSError), open(path) as file:
                try:
                    fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:  # held: a live pin
                    pinned.add(int(path.name.split(".", 1)[0]))
                    continue
                path.unlink(missing_ok=True)  # its process is gone
        return pinned

    def files(self) -> list[Path]:
        """The files of its catalog: the SQLite file, its log and its writer lock."""
        catalog = self.catalog
        return [catalog.with_name(catalog.name + s) for s in ("", "-wal", "-shm", LOCK_SUFFIX)]

    def refusal(self, error: BaseException) -> WarehouseError | None:
        """A data folder this user may not write (a SQLite catalog refuses no grant)."""
        return unwritable_folder(self, error, WAREHOUSE_ENV)

    def unopenable(self, error: BaseException, read_only: bool) -> WarehouseError:
        """The error for a catalog DuckDB could not open, saying why and what to do."""
        catalog, said = self.catalog, f"DuckDB says: {first_line(error)}"
        access, verb = (os.R_OK, "read") if read_only else (os.R_OK | os.W_OK, "read and write")
        if not catalog.exists() and not os.access(catalog.parent, os.W_OK | os.X_OK):
            why = f"this user may not create it in the folder {catalog.parent} ({said})"
            fix = (
                f"give the warehouse's user write access to that folder (ls -ld {catalog.parent}"
                f"; chown or chmod), or set {WAREHOUSE_ENV} to a folder it may write"
            )
        elif not os.access(catalog, access):
            why = f"this user may not {verb} it ({said})"
            fix = f"give the warehouse's user access to it (ls -l {catalog}; chown or chmod)"
        elif "not a database" in str(error):
            why = f"it is not a SQLite file ({said})"
            fix = "it was damaged or overwritten: restore it from a backup"
        else:
            why, fix = said, "if the file was damaged, restore it from a backup"
        return WarehouseError(
            f"The catalog of the lake {self.name!r} ({catalog}) could not be opened: {why}. "
            f"Its tables cannot be read or written until then; {fix} (its data files are in "
            f"{self.data_path})."
        )

    def _pins_folder(self) -> Path:
        return self.catalog.with_name(self.catalog.name + ".pins")
