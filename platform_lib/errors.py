"""Errors Tailor raises for a scientist to read: each names the thing and what to do."""


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
