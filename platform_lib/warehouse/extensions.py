"""DuckDB's extensions, loaded from the signed binaries installed as Python packages.

The lake needs DuckDB's ``ducklake`` extension and the scanner of its catalog
(``sqlite_scanner`` for the embedded one, ``postgres_scanner`` for the shared one). They are
never downloaded at run time: the registry's ``duckdb-extension-<name>`` packages carry the
official signed binaries for one DuckDB version, and ``LOAD '<file>'`` checks their
signatures as an ``INSTALL`` would.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lib.errors import WarehouseError
from platform_lib.sql import quote_literal

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

LAKE_EXTENSIONS = ("ducklake", "sqlite_scanner", "postgres_scanner")
"""What every warehouse connection loads: the lake format and its catalogs' scanners."""


def extension_file(name: str) -> Path:
    """The ``.duckdb_extension`` file of ``name`` for the installed DuckDB, from its package
    ``duckdb-extension-<name>``; a clear error when the package is missing or built for
    another DuckDB version."""
    import duckdb

    package = f"duckdb-extension-{name.replace('_', '-')}"
    fix = (
        f"Install the {package} package built for DuckDB {duckdb.__version__} "
        f"(pip install '{package}=={duckdb.__version__}'; `make install` does it from "
        "pyproject.toml)."
    )
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise WarehouseError(f"DuckDB's {name} extension is not installed. {fix}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "extensions"
    file = folder / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not file.is_file():
        built_for = sorted(path.name.removeprefix("v") for path in folder.glob("v*")) or ["none"]
        raise WarehouseError(
            f"The {package} package is built for DuckDB {', '.join(built_for)}, but DuckDB "
            f"{duckdb.__version__} is installed: its extension would not load. {fix}"
        )
    return file


def load_extensions(connection: duckdb.DuckDBPyConnection, names=LAKE_EXTENSIONS) -> None:
    """Load ``names`` into ``connection``'s DuckDB instance (signatures checked); DuckDB
    never downloads one on its own."""
    connection.execute("SET autoinstall_known_extensions = false")
    for name in names:
        connection.execute(f"LOAD {quote_literal(str(extension_file(name)))}")
