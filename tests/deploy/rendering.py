"""`tailor deploy render` run as the real console script, with the shared lake's flags."""

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from platform_lib.cli.main import tailor
from platform_lib.settings import REPO_ROOT
from platform_lib.workspace.locations import read_workspace

TAILOR = str(Path(sys.executable).parent / "tailor")
TEAMS = sorted(location.name for location in read_workspace())
LAKE = ("--lake-data", "s3://tailor-lake/prod", "--lake-host", "pg.internal")
"""The shared lake on an object store, its catalog on the deployment's PostgreSQL."""
LAKE_VARIABLES = ("TAILOR_LAKE_HOST", "TAILOR_LAKE_PORT", "TAILOR_PG_HOST", "TAILOR_PG_PORT")
"""The variables a lake flag defaults to: unset unless a test sets them, so only what the
test gives decides what is rendered."""


def render_command(out: Path, *flags: str, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in LAKE_VARIABLES} | variables
    return subprocess.run(
        [TAILOR, "deploy", "render", "--out", str(out), *flags],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def render(out: Path, *flags: str, **variables: str) -> dict[str, str]:
    """The files rendered into ``out``, by relative path."""
    result = render_command(out, *flags, **variables)
    assert result.returncode == 0, result.stderr
    return files(out)


def invoke(out: Path, *flags: str, **variables: str) -> Result:
    """``tailor deploy render`` in this process (click's CliRunner on the real command):
    for the tests that render many times."""
    env = dict.fromkeys(LAKE_VARIABLES) | variables
    return CliRunner(env=env).invoke(
        tailor, ["--root", str(REPO_ROOT), "deploy", "render", "--out", str(out), *flags]
    )


def render_here(out: Path, *flags: str, **variables: str) -> dict[str, str]:
    """The files ``invoke`` rendered into ``out``, by relative path."""
    result = invoke(out, *flags, **variables)
    assert result.exit_code == 0, result.output
    return files(out)


def files(out: Path) -> dict[str, str]:
    """The files rendered into ``out``, by relative path."""
    return {str(p.relative_to(out)): p.read_text() for p in sorted(out.rglob("*")) if p.is_file()}
