"""Counts as a sentence says them: ``1 failing row``, ``2 failing rows``."""


def counted(number: int, noun: str) -> str:
    """``number`` and ``noun``, plural (an ``s``) unless ``number`` is 1."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
