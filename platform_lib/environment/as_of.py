"""A moment of the warehouse's past, as a person names it: ``open_warehouse(as_of=...)`` and
``TAILOR_AS_OF`` (a dev run reading production's inputs as they were then).

Three forms, each read as one moment of the whole warehouse:

- a time: a ``datetime`` or an ISO string (``"2026-12-01T09:00"``; without a zone, this
  machine's local time; a date alone is its midnight);
- a Dagster run id (``"5f1c...-..."``, the whole id): the moment that run's last write
  committed, so its inputs and outputs read as the run left them;
- a version of one team's lake, ``"merchandising@12"`` or ``{"merchandising": 12}``: that lake
  at that version, the other lakes as of the moment it was committed. A bare number is refused:
  a version belongs to one lake.

Which snapshot of each lake that is, is the warehouse's to say (``warehouse.past``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from platform_lib.errors import TailorError

AS_OF_ENV = "TAILOR_AS_OF"
AS_OF_TAG = "tailor/as_of"
"""The run tag (and materialization metadata) of a dev run reading production as of then."""
_RUN_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_TEAM_VERSION = re.compile(r"([A-Za-z_]\w*)@(\d+)")
FORMS = (
    "a time (a datetime or ISO text such as '2026-12-01T09:00'), a Dagster run id (the whole "
    "id, from the run's page in the UI or `tailor table history`), or a version of one "
    "team's lake ('merchandising@12' or {'merchandising': 12})"
)


@dataclass(frozen=True)
class AsOf:
    """A moment of the past: exactly one of ``time``, ``run_id`` or ``team`` and
    ``version``."""

    time: datetime | None = None
    """Aware (a naive time is read as local time)."""
    run_id: str | None = None
    team: str | None = None
    version: int | None = None

    @classmethod
    def from_environment(cls) -> AsOf | None:
        """``$TAILOR_AS_OF``, or None when it is unset or empty."""
        text = os.environ.get(AS_OF_ENV, "").strip()
        return cls.parse(text, AS_OF_ENV) if text else None

    @classmethod
    def parse(cls, value: object, setting: str = "as_of") -> AsOf:
        """``value`` in any of the forms above; ``setting`` names it in errors."""
        if isinstance(value, AsOf):
            return value
        if isinstance(value, datetime):
            return cls(time=_aware(value))
        if isinstance(value, date):
            return cls(time=_aware(datetime.combine(value, time())))
        if isinstance(value, Mapping):
            return _team_version(value, setting)
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise _ambiguous(value, setting)
        if not isinstance(value, str):
            raise TailorError(f"{setting}={value!r} is not a moment; use {FORMS}.")
        text = value.strip()
        if text.isdigit():
            raise _ambiguous(text, setting)
        if _RUN_ID.fullmatch(text):
            return cls(run_id=text.lower())
        if match := _TEAM_VERSION.fullmatch(text):
            return cls(team=match[1], version=int(match[2]))
        try:
            return cls(time=_aware(datetime.fromisoformat(text)))
        except ValueError:
            raise TailorError(f"{setting}={text!r} is not a moment; use {FORMS}.") from None

    def describe(self) -> str:
        """The canonical text, which ``parse`` reads back: a UTC ISO time, the run id, or
        ``team@version``."""
        if self.time is not None:
            return self.time.astimezone(UTC).isoformat()
        if self.run_id is not None:
            return self.run_id
        return f"{self.team}@{self.version}"

    def says(self) -> str:
        """How a sentence names it: ``2026-12-01T09:00:00+00:00``, ``run 5f1c...``,
        ``version 12 of merchandising``."""
        if self.run_id is not None:
            return f"run {self.run_id}"
        if self.team is not None:
            return f"version {self.version} of {self.team}"
        return self.describe()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.astimezone()


def _team_version(value: Mapping, setting: str) -> AsOf:
    items = list(value.items())
    if len(items) != 1:
        raise TailorError(
            f"{setting}={dict(value)!r} names {len(items)} lakes; name one team's version, "
            "e.g. {'merchandising': 12}: the other lakes are read as of the moment it was "
            "committed."
        )
    ((team, version),) = items
    if not (isinstance(team, str) and team.isidentifier()) or not _is_version(version):
        raise TailorError(
            f"{setting}={dict(value)!r} is not a team's version; write "
            "{'merchandising': 12} (a team name and a version number)."
        )
    return AsOf(team=team, version=int(version))


def _is_version(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _ambiguous(value: object, setting: str) -> TailorError:
    return TailorError(
        f"{setting}={value!r} is ambiguous: a version number belongs to one team's lake. "
        f"Write '<team>@{value}' (e.g. 'merchandising@{value}') or {{'merchandising': "
        f"{value}}}; `tailor table history TEAM/ASSET` lists a table's versions."
    )


AsOfValue = AsOf | datetime | date | str | Mapping[str, int]
"""What ``as_of`` accepts (``AsOf.parse``)."""
