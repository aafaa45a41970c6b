"""LandingZone: the folder of files that stands in for upstream systems."""

from pathlib import Path

import pandas as pd
from dagster import ConfigurableResource, get_dagster_logger

from platform_lib.errors import LandingFileError
from platform_lib.landing.sample import current_landing_sample, sampled_copy, thin_sample_warning
from platform_lib.settings import landing_dir

_READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet}


class LandingZone(ConfigurableResource):
    """Reads CSV and Parquet files that upstream systems drop in the landing zone.

    An ingest asset asks for it by name and reads a file::

        @asset
        def raw_clients(landing: LandingZone) -> pd.DataFrame:
            \"\"\"Client records as exported by the CRM.\"\"\"
            return landing.read("clients.csv")
    """

    path: str | None = None
    """The landing folder. Default: ``$TAILOR_LANDING_DIR``, else ``data/landing``."""

    def read(self, file_name: str, **read_options) -> pd.DataFrame:
        """Read ``file_name`` (``.csv`` or ``.parquet``) into a DataFrame; in sample mode,
        only the sample of an ingest declaring ``sample_by`` (see ``landing.sample``)."""
        file_path = self.folder() / file_name
        reader = _READERS.get(file_path.suffix)
        if reader is None:
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
                return reader(file_path, **read_options)
            copy = sampled_copy(file_path, sample)
            thin = thin_sample_warning(file_path, copy, sample)
            if thin:
                get_dagster_logger().warning(thin)
            return reader(copy, **read_options)
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
