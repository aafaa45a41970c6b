"""Commands that load every team's code location show what they are loading on stderr when
it is a terminal (a pseudo-terminal here), and nothing when it is not."""

import json
import os
import pty
import subprocess

from tests.cli.test_tailor_cli import REPO_ROOT, TAILOR, tailor


def with_terminal_stderr(*args: str, env: dict | None = None) -> tuple[str, str]:
    """The real `tailor` with stderr on a pseudo-terminal and stdout on a pipe."""
    terminal, stderr = pty.openpty()
    process = subprocess.Popen(
        [TAILOR, *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env={**os.environ, "TERM": "xterm", **(env or {})},
    )
    os.close(stderr)
    out = process.stdout.read().decode()
    shown = []
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the command exited and closed its end
            break
        if not chunk:
            break
        shown.append(chunk)
    assert process.wait(timeout=300) == 0
    os.close(terminal)
    return out, b"".join(shown).decode(errors="replace")


def test_list_shows_each_team_it_loads_and_keeps_stdout_clean():
    out, shown = with_terminal_stderr("list", "--json")
    for team in ("merchandising", "client_insights", "styling"):
        assert f"loading {team}" in shown, shown
    assert len(json.loads(out)) == 3
    assert tailor("list", "--json").stderr == ""  # stderr not a terminal: quiet


def test_status_shows_each_team_it_reads(tmp_path):
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    out, shown = with_terminal_stderr("status", "--json", env={"DAGSTER_HOME": str(tmp_path)})
    assert f"Dagster instance {tmp_path} ($DAGSTER_HOME)" in shown
    for team in ("merchandising", "client_insights", "styling"):
        assert f"loading {team}, reading its events" in shown, shown
    assert len(json.loads(out)) == 3
