"""Whose work an alert is about: the environment, user and sample of the failed run.

A run carries them as tags (``tailor/env``, ``tailor/user``, ``tailor/sample``; see
``environment.run_environment``); an alert about no run (an overdue asset), or about a run
that failed before it was tagged, takes them from the process evaluating the sensor, which
``make dev TAILOR_ENV=dev`` starts in the person's own environment.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass

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
    ``full`` or the fractions read."""

    env: str = "prod"
    user: str = ""
    sample: str = "full"

    @classmethod
    def of_run(cls, tags: Mapping[str, str] | None) -> "AlertOrigin":
        """The origin a run's tags record, else this process's."""
        if not tags or ENV_TAG not in tags:
            return cls.of_this_process()
        return cls(tags[ENV_TAG], tags.get(USER_TAG, ""), tags.get(SAMPLE_TAG, "full"))

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
            )
        tags = environment.run_tags()
        return cls(environment.name, tags.get(USER_TAG, ""), tags[SAMPLE_TAG])

    @property
    def is_dev(self) -> bool:
        """Not production (``dev``, or an environment name runs refuse): the alert goes to
        the person's routes, never to the team's."""
        return self.env != "prod"

    def describe(self) -> str:
        """``env prod, full`` or ``env dev, user ada, sample 0.01``."""
        sample = "full" if self.sample == "full" else f"sample {self.sample}"
        user = f", user {self.user}" if self.user else ""
        return f"env {self.env}{user}, {sample}"
