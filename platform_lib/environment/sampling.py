"""Sample mode: runs read a deterministic, key-consistent sample of their inputs.

``TAILOR_SAMPLE`` sets the fraction: ``0.01`` for every input, and ``asset=fraction`` pairs
override it for single inputs (``0.01,merchandising/raw_purchase_orders=1`` reads purchase
orders whole).

A table is sampled by the key its producer declares (``@warehouse_asset(sample_by=...)``):
a row is kept when a hash of its key, as canonical text, falls below the fraction. The same
key value is kept in every table that declares that key, so joins between sampled tables match
(a client kept in ``raw_clients`` keeps all of its orders in ``raw_orders``); the same seed
(``TAILOR_SAMPLE_SEED``) keeps the same rows run after run; and a smaller fraction keeps a
subset of a larger one's rows. A table without a declared key is read whole.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from platform_lib.errors import TailorError
from platform_lib.sql import quote_identifier

SAMPLE_ENV = "TAILOR_SAMPLE"
SEED_ENV = "TAILOR_SAMPLE_SEED"
DEFAULT_SEED = "tailor"
SAMPLE_BY = "tailor/sample_by"
"""Asset metadata naming the key an asset's table is sampled by."""
_BUCKETS = 1_000_000
MIN_SAMPLE_KEYS = 20
"""A sample keeping fewer keys than this is too thin to mean much: a mean or a model over a
handful of keys is that handful's, and a grouping coarser than the key (a category, a region)
loses whole groups. A run warns when an input's sample keeps fewer (and the table has more)."""
_FRACTION_STEPS = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)


@dataclass(frozen=True)
class Sampling:
    """The fractions a run reads its inputs at; ``None`` means whole."""

    default: float | None = None
    per_asset: Mapping[str, float] = field(default_factory=dict)
    seed: str = DEFAULT_SEED

    @classmethod
    def from_environment(cls) -> Sampling:
        """``$TAILOR_SAMPLE`` and ``$TAILOR_SAMPLE_SEED``."""
        return cls.parse(os.environ.get(SAMPLE_ENV, ""), os.environ.get(SEED_ENV) or DEFAULT_SEED)

    @classmethod
    def parse(cls, text: str, seed: str = DEFAULT_SEED) -> Sampling:
        """``"0.01"``, ``"0.01,merchandising/inventory=0.1"``, ``"team/asset=0.5"``, or ``""``
        (and ``"full"``, as ``describe`` writes it) for none."""
        default, per_asset = None, {}
        if text.strip() == "full":
            return cls(seed=seed)
        for part in filter(None, (piece.strip() for piece in text.split(","))):
            asset, _, value = part.rpartition("=")
            fraction = _fraction(value, part)
            if asset.strip():
                per_asset[asset.strip()] = fraction
            elif asset:
                raise TailorError(f"{SAMPLE_ENV}: {part!r} names no asset; write team/asset=0.1.")
            elif default is not None:
                raise TailorError(
                    f"{SAMPLE_ENV}={text!r} gives the default fraction twice; give it once, "
                    "then asset=fraction pairs (0.01,merchandising/inventory=0.1)."
                )
            else:
                default = fraction
        return cls(default, per_asset, seed)

    @property
    def active(self) -> bool:
        return any(f < 1 for f in [*self.per_asset.values(), self.default or 1])

    def fraction_for(self, asset: str) -> float | None:
        """The fraction ``asset`` (``team/name``) is read at; ``None`` reads it whole."""
        fraction = self.per_asset.get(asset, self.default)
        return fraction if fraction is not None and fraction < 1 else None

    def describe(self) -> str:
        """The setting as a tag: ``"0.01"``, ``"0.01, merchandising/inventory=0.1"``, ``"full"``."""
        if not self.active:
            return "full"
        parts = [f"{self.default:g}"] if self.default is not None else []
        parts += [f"{asset}={fraction:g}" for asset, fraction in sorted(self.per_asset.items())]
        return ", ".join(parts)

    def thin_sample_warning(
        self,
        asset: str,
        key: str,
        kept: Callable[[], tuple[int, int]],
        whole: Callable[[], tuple[int, int]],
        source: str | None = None,
    ) -> str | None:
        """The warning for a sample of ``asset``'s input (``source``, else the asset's table)
        by ``key`` that keeps fewer than ``MIN_SAMPLE_KEYS`` keys of more, with a fraction
        that would keep enough; None for a sample that keeps enough. ``kept`` and ``whole``
        count (keys, rows) of the sample and of what it was drawn from; ``whole`` is called
        only for a sample that thin."""
        kept_keys, kept_rows = kept()
        if kept_keys >= MIN_SAMPLE_KEYS:
            return None
        total_keys, total_rows = whole()
        if kept_keys >= total_keys:
            return None
        fraction = self.fraction_for(asset)
        enough = next(
            f
            for f in _FRACTION_STEPS
            if f > fraction and f * total_keys >= MIN_SAMPLE_KEYS or f == 1
        )
        alone = replace(self, per_asset={**self.per_asset, asset: enough}).describe()
        return (
            f"The {fraction:g} sample of {source or asset} by {key} keeps "
            f"{kept_keys} of {total_keys:,} keys ({kept_rows:,} of {total_rows:,} rows), fewer "
            f"than {MIN_SAMPLE_KEYS}: too few for results that mean much. Read a larger sample "
            f"(TAILOR_SAMPLE={enough:g}), or {asset} alone at {enough:g} "
            f"(TAILOR_SAMPLE={alone.replace(', ', ',')})."
        )

    def predicate(self, key: str, fraction: float) -> tuple[str, list]:
        """SQL keeping the sample of rows by column ``key``, and its parameters."""
        return (
            f"hash({_canonical(quote_identifier(key))}, ?) % {_BUCKETS} < ?",
            [self.seed, math.ceil(fraction * _BUCKETS)],
        )


def _canonical(column: str) -> str:
    """The key as the text it is hashed by: whole numbers plainly, whatever their type or
    spelling (``5``, ``5.0`` and ``"005"`` are all ``5``), anything else as its text; so a
    key that a join turned into a float, or a CSV that pads it, keeps the same rows."""
    number = f"TRY_CAST({column} AS DOUBLE)"
    return (
        f"CASE WHEN {number} = trunc({number}) AND abs({number}) < 9e15 "
        f"THEN CAST(CAST({number} AS BIGINT) AS VARCHAR) ELSE CAST({column} AS VARCHAR) END"
    )


def _fraction(value: str, part: str) -> float:
    try:
        fraction = float(value)
    except ValueError:
        fraction = math.nan
    if not 0 < fraction <= 1:
        raise TailorError(
            f"{SAMPLE_ENV}: {part!r} is not a fraction in (0, 1]; write e.g. 0.01, or "
            "team/asset=0.1 for one input."
        )
    return fraction
