"""Rewrite a DuckDB file in the storage format DuckDB 1.x reads, keeping the original.

The lake's DuckDB is 1.5.5 (the version DuckLake's extension packages exist for); a
warehouse file written by DuckDB 2.0 has a newer storage format it cannot open. Run this
with DuckDB 2.0 (in a scratch environment), then ``tailor warehouse migrate``:

    python3 -m venv /tmp/duckdb2 && /tmp/duckdb2/bin/pip install 'duckdb==2.0.1'
    /tmp/duckdb2/bin/python scripts/duckdb_file_for_1x.py data/warehouse/*.duckdb

Each FILE becomes a copy of itself (every schema, table, type and row) in storage format
v1.0.0; the original is kept beside it as ``FILE.original``.
"""

import sys
from pathlib import Path

import duckdb

STORAGE_VERSION = "v1.0.0"


def rewrite(path: Path) -> Path:
    """Rewrite ``path`` readable by DuckDB 1.x; returns where the original was kept."""
    original = path.with_name(path.name + ".original")
    if original.exists():
        sys.exit(f"{original} exists: {path} was rewritten before; move it away to redo it")
    path.rename(original)
    try:
        connection = duckdb.connect()
        connection.execute(f"ATTACH {_literal(original)} AS original (READ_ONLY)")
        connection.execute(
            f"ATTACH {_literal(path)} AS rewritten (STORAGE_VERSION '{STORAGE_VERSION}')"
        )
        connection.execute("COPY FROM DATABASE original TO rewritten")
        connection.close()
    except BaseException:
        path.unlink(missing_ok=True)
        original.rename(path)
        raise
    return original


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        kept = rewrite(Path(name))
        print(f"{name}: rewritten for DuckDB 1.x (storage {STORAGE_VERSION}); original in {kept}")
