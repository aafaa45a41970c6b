"""Sampled landing reads: in sample mode an ingest asset reads only its sample of a file.

``warehouse_asset`` marks the ingest it runs with the asset's ``sample_by`` key and fraction
(``sampling_landing_reads``); ``LandingZone.read`` then reads a copy of the file holding only
the sampled rows, with the reader and options it would use on the whole file, so types and
parsing are the same. DuckDB picks the rows by the same hash of the key as warehouse reads,
so a client kept at ingest is the client kept downstream. Copies are kept, per file state,
in ``<warehouse>/sandboxes/landing_samples/``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from platform_lib.environment.sampling import Sampling
from platform_lib.errors import LandingFileError
from platform_lib.settings import warehouse_dir
from platform_lib.sql import quote_identifier
from platform_lib.warehouse.connection import warehouse_instance
from platform_lib.warehouse.layout import landing_samples_folder


@dataclass(frozen=True)
class LandingSample:
    """The sample an ingest reads: rows whose ``key`` hashes below ``fraction``."""

    asset: str
    key: str
    fraction: float
    sampling: Sampling


_CURRENT: ContextVar[LandingSample | None] = ContextVar("tailor_landing_sample", default=None)


@contextmanager
def sampling_landing_reads(sample: LandingSample | None) -> Iterator[None]:
    """Landing reads inside this block read ``sample`` (``None``: whole files)."""
    token = _CURRENT.set(sample)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current_landing_sample() -> LandingSample | None:
    return _CURRENT.get()


def sampled_copy(path: Path, sample: LandingSample) -> Path:
    """A copy of the landing file ``path`` holding only ``sample``'s rows (CSV as the original
    text, Parquet with the original schema), kept while the file is unchanged: iterating in
    sample mode scans each landing file once, not on every run."""
    import duckdb

    copy = _kept_copy(path, sample)
    if copy.exists():
        return copy
    condition, parameters = sample.sampling.predicate(sample.key, sample.fraction)
    partial = copy.with_name(f".{copy.name}.{os.getpid()}")
    connection = warehouse_instance().cursor()
    try:
        rows = connection.sql(
            f"SELECT * FROM {_rows_of(path)} WHERE {condition}", params=[str(path), *parameters]
        )
        if path.suffix == ".parquet":
            _write_parquet_as(path, rows, partial)
        else:
            rows.write_csv(str(partial), header=True)
    except BaseException as error:
        partial.unlink(missing_ok=True)  # a failed copy leaves nothing behind
        if isinstance(error, duckdb.BinderException):
            raise LandingFileError(
                f"Landing file {path} cannot be sampled by {sample.key!r}, the sample_by key "
                f"of {sample.asset}: {error}. Declare a column of the file as sample_by."
            ) from error
        raise
    finally:
        connection.close()
    file, state, _ = copy.name.split("-", 2)
    for stale in copy.parent.glob(f"{file}-*"):  # samples of the file as it was before
        if not stale.name.startswith(f"{file}-{state}-"):
            stale.unlink(missing_ok=True)
    os.replace(partial, copy)  # whole or not at all, even with runs side by side
    return copy


def _kept_copy(path: Path, sample: LandingSample) -> Path:
    """Where the sample of ``path`` in its current state is kept, named
    ``<file>-<state>-<sample>``: the file, its size and modification time, and the sample's
    key, fraction and seed (each fraction and seed keeps its own copy)."""
    stat = path.stat()
    file, state, drawn = (
        hashlib.sha256(repr(part).encode()).hexdigest()[:16]
        for part in (
            str(path.resolve()),
            (stat.st_size, stat.st_mtime_ns),
            (sample.key, sample.fraction, sample.sampling.seed),
        )
    )
    folder = landing_samples_folder(warehouse_dir())
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{file}-{state}-{drawn}{path.suffix}"


def _write_parquet_as(path: Path, rows, copy: Path) -> None:
    """The sampled rows, cast back to the file's own schema (types and pandas metadata), so
    the copy reads exactly as the original would."""
    import pyarrow.parquet as pq

    pq.write_table(rows.to_arrow_table().cast(pq.read_schema(path)), copy)


def thin_sample_warning(path: Path, copy: Path, sample: LandingSample) -> str | None:
    """The warning when ``copy``, the sample of the landing file ``path``, keeps too few keys
    (see ``Sampling.thin_sample_warning``)."""
    connection = warehouse_instance().cursor()

    def counts(file: Path) -> tuple[int, int]:
        key = quote_identifier(sample.key)
        query = f"SELECT count(DISTINCT {key}), count(*) FROM {_rows_of(file)}"
        return connection.execute(query, [str(file)]).fetchone()

    try:
        return sample.sampling.thin_sample_warning(
            sample.asset,
            sample.key,
            lambda: counts(copy),
            lambda: counts(path),
            source=f"{sample.asset}'s landing file {path.name}",
        )
    finally:
        connection.close()


def _rows_of(path: Path) -> str:
    """The SQL reading a landing file's rows (CSV as text), its path a parameter."""
    return "read_parquet(?)" if path.suffix == ".parquet" else "read_csv(?, all_varchar=true)"
