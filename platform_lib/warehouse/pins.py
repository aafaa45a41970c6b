"""Versions of a lake that upkeep must not remove while something reads them.

A restore reads an earlier snapshot's files while it copies them into a new one; expiring
that snapshot and deleting its files meanwhile would break it. A reader pins the version for
as long as it works (a file in ``<catalog>.pins/``, locked by the process holding it), and
upkeep keeps every pinned version. A pin left by a process that died holds no lock and is
ignored and removed.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def pins_folder(catalog: Path) -> Path:
    return catalog.with_name(catalog.name + ".pins")


@contextmanager
def pin_version(catalog: Path, version: int) -> Iterator[None]:
    """Keep ``version`` of the lake of ``catalog`` from being expired while inside."""
    folder = pins_folder(catalog)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{int(version)}.{os.getpid()}.{id(object())}"
    with open(path, "w") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            path.unlink(missing_ok=True)


def pinned_versions(catalog: Path) -> set[int]:
    """The versions of the lake of ``catalog`` pinned by a live process."""
    pinned = set()
    for path in sorted(pins_folder(catalog).glob("*.*")):
        with suppress(OSError), open(path) as file:
            try:
                fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:  # held: a live pin
                pinned.add(int(path.name.split(".", 1)[0]))
                continue
            path.unlink(missing_ok=True)  # its process is gone
    return pinned
