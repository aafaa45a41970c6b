"""Which of a team's assets a job or schedule covers."""

from collections.abc import Sequence

from dagster import AssetSelection


def team_selection(team: str, assets: Sequence[str] | None) -> AssetSelection:
    """The team's assets named (bare names), or all of them when ``assets`` is None."""
    if assets is None:
        return AssetSelection.groups(team)
    return AssetSelection.assets(*[[team, name] for name in assets])
