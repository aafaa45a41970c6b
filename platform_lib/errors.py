"""Errors Tailor raises for a scientist to read: each names the thing and what to do."""

import difflib
from collections.abc import Iterable


class TailorError(Exception):
    """Base class of every error the platform raises on purpose; ``hint`` says what to do
    when the message alone does not."""

    def __init__(self, message: str, hint: str = "the message says what to do"):
        super().__init__(message)
        self.hint = hint


class TeamConventionError(TailorError):
    """A team's definitions break a platform convention (raised when the location loads)."""


class WarehouseError(TailorError):
    """A warehouse read or write could not be done; the stored data is unchanged."""


class LandingFileError(TailorError):
    """A landing-zone file is missing or unreadable."""


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean x?)`` for the known name closest to a misspelt ``name``, else ``""``."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""
