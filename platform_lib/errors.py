"""Errors Tailor raises for a scientist to read: each names the thing and what to do."""

import difflib
from collections.abc import Iterable

BROKEN_CONTRACT = "tailor/broken_contract"
"""Metadata of the Dagster ``Failure`` a step raises when its data broke a blocking check of
the asset's contract (the failed checks, by name): the check-failure alert covers it."""
NO_HINT = "the message says what to do"
HINT = "hint: "
SUGGESTIONS = 3
CLOSEST_ENOUGH, ALSO_CLOSE = 0.6, 0.8
"""How alike (difflib's ratio) a known name must be to a misspelt one to be suggested: the
closest one at ``CLOSEST_ENOUGH``, further ones only at ``ALSO_CLOSE``."""


class TailorError(Exception):
    """Base class of every error the platform raises on purpose; ``hint`` says what to do
    when the message alone does not. A hint is also a note of the exception (``hint: ...``),
    so it travels wherever the error is recorded: a traceback, a run's step failure, an
    alert."""

    def __init__(self, message: str, hint: str = NO_HINT):
        super().__init__(message)
        self.hint = hint
        if hint != NO_HINT:
            self.add_note(HINT + hint)


class TeamConventionError(TailorError):
    """A team's definitions break a platform convention (raised when the location loads)."""


class WarehouseError(TailorError):
    """A warehouse read or write could not be done; the stored data is unchanged."""


class LandingFileError(TailorError):
    """A landing-zone file is missing or unreadable."""


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``" Did you mean X (or Y)?"`` for the names in ``known`` closest to a misspelt
    ``name`` (by difflib's ratio), or ``""`` when none is close."""
    close = difflib.get_close_matches(name, sorted(set(known)), SUGGESTIONS, CLOSEST_ENOUGH)
    if not close:
        return ""
    also = [other for other in close[1:] if _likeness(name, other) >= ALSO_CLOSE]
    others = f" (or {', '.join(also)})" if also else ""
    return f" Did you mean {close[0]}{others}?"


def _likeness(name: str, other: str) -> float:
    return difflib.SequenceMatcher(None, name, other).ratio()
