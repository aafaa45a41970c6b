"""Errors Tailor raises for a scientist to read: each names the thing and what to do."""


class TailorError(Exception):
    """Base class of every error the platform raises on purpose."""


class TeamConventionError(TailorError):
    """A team's definitions break a platform convention (raised when the location loads)."""


class WarehouseError(TailorError):
    """A warehouse read or write could not be done; the stored data is unchanged."""


class LandingFileError(TailorError):
    """A landing-zone file is missing or unreadable."""
