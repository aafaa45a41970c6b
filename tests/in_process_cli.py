"""The real ``tailor`` command run in this process (click's CliRunner on the command the
console script calls), its result shaped as a subprocess's: for tests that run it many
times, where a process would cost seconds of imports each and prove nothing more (the
console script itself is run as a process by tests/cli/test_tailor_cli.py, and by the
tests of a terminal or of no terminal at all)."""

import contextlib
import subprocess
from pathlib import Path

from click.testing import CliRunner

from platform_lib.cli.main import tailor


def run_tailor(
    *args: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """``tailor *args`` with ``env`` set (and restored after), in ``cwd`` if given; an
    exception the command did not turn into its one-line error is raised here."""
    with contextlib.chdir(cwd) if cwd else contextlib.nullcontext():
        result = CliRunner(env=env).invoke(tailor, list(args), prog_name="tailor")
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(
        ["tailor", *args], result.exit_code, result.stdout, result.stderr
    )
