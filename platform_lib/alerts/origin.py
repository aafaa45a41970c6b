"""Whose work an alert is about: the environment, user and sample of the failed run (and the
moment a dev run read production as of), and how it was launched.

A run carries them as tags (``tailor/env``, ``tailor/user``, ``tailor/sample``,
``tailor/as_of``; see
``environment.run_environment``), and Dagster's tags say who launched it
(``dagster/schedule_name``, ``dagster/sensor_name``, automation's too, ``dagster/backfill``;
none: by hand). An alert about no run (an overdue asset), or about a run that failed before
it was tagged, takes env, user and sample from the process evaluating the sensor, which
``make dev TAILOR_ENV=dev`` starts in the person's own environment.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from dagster._core.storage.tags import BACKFILL_ID_TAG, SCHEDULE_NAME_TAG, SENSOR_NAME_TAG

from platform_lib.environment.as_of import AS_OF_ENV, AS_OF_TAG
from platform_lib.environment.run_environment import (
    ENV_TAG,
    ENV_VAR,
    SAMPLE_TAG,
    USER_TAG,
    RunEnvironment,
)
from platform_lib.environment.sampling import SAMPLE_ENV
from platform_lib.environment.sandbox_naming import USER_ENV
from platform_lib.errors import TailorError


@dataclass(frozen=True)
class AlertOrigin:
    """``env`` is ``prod`` or ``dev``; ``user`` names the person of a dev run; ``sample`` is
    ``full`` or the fractions read; ``launched_by`` says how a run was launched
    (``schedule merchandising_daily``, ``sensor styling_automation``, ``hand``), empty for no
    run; ``as_of`` is the moment a dev run read production as of (``TAILOR_AS_OF``), if any."""

    env: str = "prod"
    user: str = ""
    sample: str = "full"
    launched_by: str = ""
    as_of: str = ""

    @classmethod
    def of_run(cls, tags: Mapping[str, str] | None) -> "AlertOrigin":
        """The origin a run's tags record (else this process's), and how it was launched."""
        tags = tags or {}
        launched_by = _launcher(tags)
        if ENV_TAG not in tags:
            return replace(cls.of_this_process(), launched_by=launched_by)
        return cls(
            tags[ENV_TAG],
            tags.get(USER_TAG, ""),
            tags.get(SAMPLE_TAG, "full"),
            launched_by,
            tags.get(AS_OF_TAG, ""),
        )

    @classmethod
    def of_this_process(cls) -> "AlertOrigin":
        """The environment runs of this process execute in (``TAILOR_ENV``, ...)."""
        try:
            environment = RunEnvironment.current()
        except TailorError:  # settings every run refuses: describe them as they are set
            return cls(
                (os.environ.get(ENV_VAR) or "prod").strip().lower(),
                os.environ.get(USER_ENV, ""),
                os.environ.get(SAMPLE_ENV) or "full",
                as_of=os.environ.get(AS_OF_ENV, "").strip(),
            )
        tags = environment.run_tags()
        return cls(
            environment.name,
            tags.get(USER_TAG, ""),
            tags[SAMPLE_TAG],
            as_of=tags.get(AS_OF_TAG, ""),
        )

    @property
    def is_dev(self) -> bool:
        """Not production (``dev``, or an environment name runs refuse): the alert goes to
        the person's routes, never to the team's."""
        return self.env != "prod"

    def describe(self) -> str:
        """``env prod, full, launched by schedule merchandising_daily`` or ``env dev, user
        ada, sample 0.01, launched by hand``."""
        launched = f", launched by {self.launched_by}" if self.launched_by else ""
        return self.whose() + launched

    def whose(self) -> str:
        """``env prod, full`` or ``env dev, user ada, sample 0.01`` (``, as of
        merchandising@12`` for a dev run reading production's past)."""
        sample = "full" if self.sample == "full" else f"sample {self.sample}"
        user = f", user {self.user}" if self.user else ""
        as_of = f", as of {self.as_of}" if self.as_of else ""
        return f"env {self.env}{user}, {sample}{as_of}"


def _launcher(tags: Mapping[str, str]) -> str:
    """``schedule <name>``, ``sensor <name>`` (automation's included), ``backfill <id>``, or
    ``hand`` (the UI, the CLI, a test) when Dagster's tags name none."""
    for tag, kind in ((SCHEDULE_NAME_TAG, "schedule"), (SENSOR_NAME_TAG, "sensor"),
                      (BACKFILL_ID_TAG, "backfill")):  # fmt: skip
        if tags.get(tag):
            return f"{kind} {tags[tag]}"
    return "hand"
