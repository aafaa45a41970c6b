"""Where a run writes: production, or one person's sandbox; and whether it reads a sample.

- ``TAILOR_ENV``: ``prod`` (the default, what deployments and their schedules run) or
  ``dev``. In ``dev`` every write goes to the person's sandbox, ``<team>__dev_<user>``, and
  reads of tables the sandbox does not hold fall through to production, read-only. No code
  path of a dev run opens a production table for writing.
- ``TAILOR_USER``: the person, default the operating-system user.
- ``TAILOR_SAMPLE``: sample mode (see ``sampling``); only in ``dev``, so a sampled result can
  never replace a full production table.

Each run carries its environment as run tags (``tailor/env``, ``tailor/sample``,
``tailor/user``), which the UI shows on the run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from platform_lib.environment.sampling import SAMPLE_ENV, Sampling
from platform_lib.environment.sandbox_naming import sandbox_name, sandbox_user
from platform_lib.errors import TailorError

ENV_VAR = "TAILOR_ENV"
ENVIRONMENTS = ("prod", "dev")
ENV_TAG, SAMPLE_TAG, USER_TAG = "tailor/env", "tailor/sample", "tailor/user"


@dataclass(frozen=True)
class RunEnvironment:
    """The environment a run executes in, read from the environment variables above."""

    name: str = "prod"
    user: str = ""
    sampling: Sampling = Sampling()

    @classmethod
    def current(cls) -> RunEnvironment:
        """The environment of this process; refuses settings that would write a sample to
        production."""
        name = (os.environ.get(ENV_VAR) or "prod").strip().lower()
        if name not in ENVIRONMENTS:
            raise TailorError(
                f"{ENV_VAR}={name!r} is not an environment; use prod (the default) or dev."
            )
        environment = cls(name, sandbox_user(), Sampling.from_environment())
        if environment.sampling.active and name == "prod":
            raise TailorError(
                f"{SAMPLE_ENV}={os.environ[SAMPLE_ENV]} in prod: a sampled run would replace "
                "production tables with a sample, so it is refused. Set TAILOR_ENV=dev to "
                f"write the sample to your sandbox, or unset {SAMPLE_ENV} for a full run."
            )
        return environment

    @property
    def is_dev(self) -> bool:
        return self.name == "dev"

    def sandbox(self, team: str) -> str:
        """The person's sandbox for ``team``: ``<team>__dev_<user>``."""
        return sandbox_name(team, self.user)

    def labels(self) -> dict[str, str]:
        """What every materialization records of how it was made."""
        return {ENV_TAG: self.name, SAMPLE_TAG: self.sampling.describe()}

    def run_tags(self) -> dict[str, str]:
        return self.labels() | ({USER_TAG: self.user} if self.is_dev else {})


def recorded_labels(metadata: Mapping) -> dict[str, str]:
    """``labels()`` as a materialization's ``metadata`` recorded them (older ones, made
    before environments existed, were production's and full)."""
    return {
        name: getattr(metadata.get(name), "value", default)
        for name, default in ((ENV_TAG, "prod"), (SAMPLE_TAG, "full"))
    }
