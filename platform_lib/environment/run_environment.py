"""Where a run writes: production, or one person's sandbox; and whether it reads a sample.

- ``TAILOR_ENV``: ``prod`` (the default, what deployments and their schedules run) or
  ``dev``. In ``dev`` every write goes to the person's sandbox, ``<team>__dev_<user>``, and
  reads of tables the sandbox does not hold fall through to production, read-only. No code
  path of a dev run opens a production table for writing.
- ``TAILOR_USER``: the person, default the operating-system user.
- ``TAILOR_SAMPLE``: sample mode (see ``sampling``); only in ``dev``, so a sampled result can
  never replace a full production table.
- ``TAILOR_AS_OF``: reproduce a past run (see ``as_of``): production's tables are read as they
  were then; only in ``dev``, so a production run always reads current inputs.

Each run carries its environment as run tags (``tailor/env``, ``tailor/sample``,
``tailor/user``, and ``tailor/as_of`` when set), which the UI shows on the run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from platform_lib.environment.as_of import AS_OF_ENV, AS_OF_TAG, AsOf
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
    as_of: AsOf | None = None
    """The moment production's tables are read as of; None reads them as they are."""

    @classmethod
    def current(cls) -> RunEnvironment:
        """The environment of this process; refuses settings that would write a sample, or
        results computed from past inputs, to production."""
        name = (os.environ.get(ENV_VAR) or "prod").strip().lower()
        if name not in ENVIRONMENTS:
            raise TailorError(
                f"{ENV_VAR}={name!r} is not an environment; use prod (the default) or dev."
            )
        if os.environ.get(AS_OF_ENV, "").strip() and name == "prod":
            raise TailorError(
                f"{AS_OF_ENV}={os.environ[AS_OF_ENV].strip()} in prod: a production run always "
                "reads current inputs, so it is refused. Set TAILOR_ENV=dev to reproduce that "
                f"moment's run in your sandbox, or unset {AS_OF_ENV}."
            )
        sampling, as_of = Sampling.from_environment(), AsOf.from_environment()
        environment = cls(name, sandbox_user(), sampling, as_of)
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
        labels = {ENV_TAG: self.name, SAMPLE_TAG: self.sampling.describe()}
        return labels | ({AS_OF_TAG: self.as_of.describe()} if self.as_of else {})

    def run_tags(self) -> dict[str, str]:
        return self.labels() | ({USER_TAG: self.user} if self.is_dev else {})


def recorded_labels(metadata: Mapping) -> dict[str, str]:
    """``labels()`` as a materialization's ``metadata`` recorded them (older ones, made
    before environments existed, were production's and full; ``tailor/as_of`` only when
    the run read the past)."""
    labels = {
        name: getattr(metadata.get(name), "value", default)
        for name, default in ((ENV_TAG, "prod"), (SAMPLE_TAG, "full"))
    }
    return labels | ({AS_OF_TAG: metadata[AS_OF_TAG].value} if AS_OF_TAG in metadata else {})
