"""LandingZone: the folder of files that stands in for upstream systems."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pandas as pd
from dagster import ConfigurableResource, get_dagster_logger

from platform_lib.errors import LandingFileError
from platform_lib.landing.sample import current_landing_sample, sampled_copy, thin_sample_warning
from platform_lib.settings import landing_dir

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

_READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet}
_Rows = TypeVar("_Rows")


class LandingZone(ConfigurableResource):
    """Reads CSV and Parquet files that upstream systems drop in the landing zone.

    An ingest asset asks for it by name and reads a file, into pandas or lazily::

        @asset
        def raw_clients(landing: LandingZone) -> pd.DataFrame:
            \"\"\"Client records as exported by the CRM.\"\"\"
            return landing.read("clients.csv")

        @asset
        def raw_inventory(landing: LandingZone) -> duckdb.DuckDBPyRelation:
            \"\"\"Stock snapshots, streamed into the table and never held in Python.\"\"\"
            return landing.relation("inventory_snapshots.parquet")
    """

    path: str | None = None
    """The landing folder. Default: ``$TAILOR_LANDING_DIR``, else ``data/landing``."""

    def read(self, file_name: str, **read_options) -> pd.DataFrame:
        """Read ``file_name`` (``.csv`` or ``.parquet``) into a DataFrame; in sample mode,
        only the sample of an ingest declaring ``sample_by`` (see ``landing.sample``)."""
        reader = _READERS.get(Path(file_name).suffix)
        return self._read(file_name, lambda path: reader(path, **read_options))

    def relation(self, file_name: str, **read_options) -> duckdb.DuckDBPyRelation:
        """``file_name`` (``.csv`` or ``.parquet``) as a lazy DuckDB relation on DuckDB's
        default connection: nothing is read until its query runs (returned by an asset, it
        streams into the table inside the write). CSV columns are typed by DuckDB's
        detection, dates as dates; ``read_options`` go to DuckDB's ``read_csv`` or
        ``read_parquet``. In sample mode it reads the same sample as ``read``."""
        from platform_lib.warehouse.connection import default_connection

        def relation(path: Path) -> duckdb.DuckDBPyRelation:
            connection = default_connection()
            if path.suffix == ".parquet":
                return connection.read_parquet(str(path), **read_options)
            return connection.read_csv(str(path), header=True, **read_options)

        return self._read(file_name, relation)

    def _read(self, file_name: str, reader: Callable[[Path], _Rows]) -> _Rows:
        """``reader`` applied to the file, or in sample mode to its sample; any failure a
        ``LandingFileError`` naming the file."""
        file_path = self.folder() / file_name
        if file_path.suffix not in _READERS:
            raise LandingFileError(
                f"Landing file {file_name!r} has an unsupported type; use .csv or .parquet."
            )
        if not file_path.exists():
            raise LandingFileError(
                f"Landing file {file_path} does not exist. Generate the landing zone with "
                "`make landing` (or point TAILOR_LANDING_DIR at the folder that holds it)."
            )
        sample = current_landing_sample()
        try:
            if sample is None:
                return reader(file_path)
            copy = sampled_copy(file_path, sample)
            thin = thin_sample_warning(file_path, copy, sample)
            if thin:
                get_dagster_logger().warning(thin)
            return reader(copy)
        except LandingFileError:
            raise
        except Exception as error:
            raise LandingFileError(
                f"Landing file {file_path} could not be read: {error}. Regenerate it with "
                "`make landing`, or fix the upstream export."
            ) from error

    def folder(self) -> Path:
        """The landing folder this resource reads from."""
        return Path(self.path) if self.path else landing_dir()
