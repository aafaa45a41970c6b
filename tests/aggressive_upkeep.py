"""Upkeep at its most aggressive, for tests showing what it must still keep."""

from datetime import UTC, datetime, timedelta

from platform_lib.warehouse.upkeep import LakeUpkeep

AGGRESSIVE = LakeUpkeep(retention_days=0, keep_versions=1, grace_hours=0)
"""Expire every version but each table's latest; remove unneeded files at once."""


def soon() -> datetime:
    """A moment just ahead: files an upkeep schedules for deletion are stamped after its
    start, so only an upkeep as of a later moment removes them with no grace."""
    return datetime.now(UTC) + timedelta(minutes=5)
