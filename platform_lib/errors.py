"""Errors Tailor raises for a scientist to read: each names the thing and what to do."""

NO_HINT = "the message says what to do"
HINT = "hint: "


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
