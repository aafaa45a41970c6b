"""A person's sandbox of a team, by name: ``<team>__dev_<user>``.

The one place that spells a sandbox's name. A dev run writes a team's tables to the
sandbox of that team and its user (see ``run_environment``); where a sandbox's tables are
stored is the warehouse's layout.
"""

import getpass
import os
import re

from platform_lib.errors import TailorError

USER_ENV = "TAILOR_USER"
SANDBOX_MARK = "__dev_"


def sandbox_name(team: str, user: str) -> str:
    """A person's sandbox of a team: ``<team>__dev_<user>``."""
    return f"{team}{SANDBOX_MARK}{user}"


def sandbox_team(name: str) -> str:
    """The team whose sandbox ``name`` is."""
    return name.split(SANDBOX_MARK)[0]


def sandbox_user(user: str | None = None) -> str:
    """``user``, else ``$TAILOR_USER``, else the OS user, as a lowercase identifier."""
    raw = user or os.environ.get(USER_ENV) or getpass.getuser()
    name = re.sub(r"[^a-z0-9_]+", "_", raw.strip().lower()).strip("_")
    if not name or SANDBOX_MARK in name:
        raise TailorError(
            f"{raw!r} does not make a sandbox name; set {USER_ENV} to your name (letters, "
            f"digits, single underscores; not {SANDBOX_MARK!r})."
        )
    return name
