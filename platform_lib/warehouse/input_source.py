"""Where a read of an asset's table finds it, and which of its rows it keeps: the rules a
run's input follows, shared by the IO manager and ``open_warehouse``.

In prod a read finds production's table, whole. In dev it finds the person's sandbox's table
when the sandbox holds it, else production's; in sample mode it keeps only the sample, by
the key the table's catalog record names (``sample_by``), read whole when it names none.
With ``TAILOR_AS_OF`` (dev only) production's table is read as it was then; a sandbox's table
is read as it is, being the person's current work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.environment.sampling import Sampling
from platform_lib.errors import WarehouseError
from platform_lib.warehouse.layout import TableLocation, in_sandbox
from platform_lib.warehouse.records import TableRecord


def input_location(
    location: TableLocation,
    environment: RunEnvironment,
    sandbox_holds: Callable[[TableLocation], bool],
    version_then: Callable[[TableLocation], int],
) -> TableLocation:
    """Where a read in ``environment`` finds production's table ``location``: in dev the
    person's sandbox when its lake exists and ``sandbox_holds`` the table there, else
    production (read-only, like every read), at the version ``version_then`` gives when the
    environment reads as of a past moment."""
    if environment.is_dev:
        sandboxed = in_sandbox(location, environment.sandbox(location.team))
        if sandboxed.lake.exists() and sandbox_holds(sandboxed):
            return sandboxed
    if environment.as_of is not None:
        return replace(location, version=version_then(location))
    return location


@dataclass(frozen=True)
class InputSample:
    """The rows a read keeps of one table: all, or the sample at ``fraction`` by ``key``."""

    fraction: float | None = None
    """The fraction sample mode reads the asset at; None reads it whole."""
    key: str | None = None
    """The column the sample is drawn by; None when the read keeps every row."""
    condition: tuple[str, list] | None = None
    """The SQL keeping the sample (``Sampling.predicate``) and its parameters."""

    def describe(self) -> str:
        """``", a 0.2 sample by sku"``, a word on why a sampled read keeps every row, or
        nothing for a whole read."""
        if self.key:
            return f", a {self.fraction:g} sample by {self.key}"
        if self.fraction:
            return ", whole: it declares no sample_by key to sample by"
        return ""


def input_sample(
    asset: str, record: TableRecord | None, environment: RunEnvironment
) -> InputSample:
    """The rows a read of ``asset`` (``team/name``) keeps in ``environment``, given its
    table's catalog ``record`` (None when the table has none)."""
    fraction = environment.sampling.fraction_for(asset)
    key = record.sample_by if fraction and record is not None else None
    if not key:
        return InputSample(fraction)
    return InputSample(fraction, key, environment.sampling.predicate(key, fraction))


def refuse_a_smaller_sample(
    label: str,
    location: TableLocation,
    record: TableRecord,
    environment: RunEnvironment,
    fraction: float | None,
) -> None:
    """A sandbox table computed from a sample cannot feed a run that reads more of it (or
    another sample): the result would be labelled as more than it is."""
    held = Sampling.parse(record.sample, record.sample_seed).fraction_for(label)
    if held is None:
        return
    if fraction is None or fraction > held or record.sample_seed != environment.sampling.seed:
        reading = f"a {fraction:g} sample" if fraction else "whole"
        raise WarehouseError(
            f"{location.name} holds {label} computed from a sample ({record.sample}, seed "
            f"{record.sample_seed!r}), but this run reads it {reading} (TAILOR_SAMPLE="
            f"{environment.sampling.describe()}, seed {environment.sampling.seed!r}): its "
            "result would be labelled as more than it is. Materialize "
            f"{label} again in this run's setting, or drop the sandbox "
            f"(tailor sandbox drop --team {location.team})."
        )
