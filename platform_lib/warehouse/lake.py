"""What a lake is to the warehouse, wherever its catalog lives.

A lake is a DuckLake catalog of snapshots plus its immutable Parquet data files. Its catalog
is a SQLite file (``file_lake``: each team's in the embedded profile, every sandbox) or a
schema of a PostgreSQL database shared by every host (``shared_lake``); its data files are a
folder or an object-store URL. Everything else in the warehouse works on the ``Lake`` below
and never asks which.
"""

from __future__ import annotations

import os
import pwd
import re
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from platform_lib.errors import WarehouseError
from platform_lib.sql import quote_literal

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb


class Lake(Protocol):
    """A team's (or a sandbox's) lake."""

    @property
    def name(self) -> str:
        """The team, or the sandbox (``<team>__dev_<user>``)."""

    @property
    def data_path(self) -> str:
        """Where its data files are (a folder ending in a separator, or a URL ending in /)."""

    def exists(self) -> bool:
        """Whether its catalog was created."""

    def prepare(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Set up what ``connection``'s instance needs before attaching (secrets)."""

    def attach_sql(self, alias: str, *, read_only: bool, version: int | None = None) -> str:
        """The ``ATTACH`` of the lake as ``alias`` (read-only, or at snapshot ``version``)."""

    def create(self, connection: duckdb.DuckDBPyConnection, wait_seconds: float) -> None:
        """Create its catalog if it does not exist, whole, with ``connection`` prepared."""

    def writer_lock(self, wait_seconds: float, *, shared: bool = False) -> AbstractContextManager:
        """Its writer lock: first attempts of a commit share it, a retry holds it alone."""

    def pin(self, version: int) -> AbstractContextManager:
        """Keep ``version`` from being expired by upkeep while inside, from any host."""

    def pinned_versions(self) -> set[int]:
        """The versions a live process pins."""

    def refusal(self, error: BaseException) -> WarehouseError | None:
        """The error to show for ``error`` when the catalog refused this user, else None."""

    def unopenable(self, error: BaseException, read_only: bool) -> WarehouseError:
        """The error for a catalog DuckDB could not open, saying why and what to do."""


def attach_sql(
    target: str,
    data: str,
    alias: str,
    *,
    read_only: bool,
    version: int | None,
    extra: tuple[str, ...] = (),
) -> str:
    """``ATTACH`` of the DuckLake catalog ``target`` with its data files at ``data``: the data
    path given overrides the one recorded, so a moved warehouse still reads its own files."""
    options = [f"DATA_PATH {quote_literal(data)}", "OVERRIDE_DATA_PATH true", *extra]
    if read_only or version is not None:
        options.append("READ_ONLY")
    if version is not None:
        options.append(f"SNAPSHOT_VERSION {int(version)}")
    return f"ATTACH {quote_literal(target)} AS {alias} ({', '.join(options)})"


def unwritable_folder(lake: Lake, error: BaseException, setting: str) -> WarehouseError | None:
    """The error for a write refused because this user may not write the lake's data folder
    (``setting`` names the variable choosing it); None for any other error."""
    if "Permission denied" not in str(error) or "://" in lake.data_path:
        return None
    named = re.search(rf'"({re.escape(lake.data_path)}[^"]*)"', str(error))
    folder = Path(named.group(1)).parent if named else Path(lake.data_path)
    while not folder.exists() and folder != folder.parent:  # the one that refused a new folder
        folder = folder.parent
    user = pwd.getpwuid(os.geteuid()).pw_name
    return WarehouseError(
        f"Lake {lake.name!r} ({lake}) could not write its data files: user {user} may not write "
        f"the folder {folder} ({str(error).strip().splitlines()[0]}). Nothing was written; give "
        f"{user} write access to it (ls -ld {folder}; chown or chmod), or set {setting} to a "
        "folder it may write."
    )
