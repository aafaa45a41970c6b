"""The sandbox tools through the real `tailor` command: diff against production, list,
promote (which explains instead) and drop (which never touches production)."""

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from platform_lib import team_definitions
from tests.crm_sandbox import FRAMES, clients, fingerprint, make_frames, run
from tests.in_process_cli import run_tailor

TAILOR = str(Path(sys.executable).parent / "tailor")


def tailor(warehouse, *args: str) -> subprocess.CompletedProcess:
    """The real `tailor` command (in this process), on this test's warehouse, as Alice, with
    no input."""
    return run_tailor(*args, env={"TAILOR_WAREHOUSE_DIR": str(warehouse), "TAILOR_USER": "alice"})


def tailor_process(warehouse, *args: str) -> subprocess.CompletedProcess:
    """The console script as a process of its own, with no terminal (as from a script)."""
    environment = {**os.environ, "TAILOR_WAREHOUSE_DIR": str(warehouse), "TAILOR_USER": "alice"}
    return subprocess.run(
        [TAILOR, *args],
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def changed_sandbox(warehouse, instance, use):
    """Production crm, and Alice's sandbox clients with 3 clients moved, client 5 twice,
    client 2000 gone, client 2001 new, and a new column."""
    make_frames()
    assert run(instance).success
    use(env="dev")
    changed = FRAMES["clients"].copy()
    changed.loc[changed.client_id <= 3, "region"] = "south"
    changed = pd.concat(
        [
            changed[changed.client_id != 2000],
            changed[changed.client_id == 5],
            pd.DataFrame({"client_id": [2001], "region": "x"}),
        ]
    )
    FRAMES["clients"] = changed.assign(tier="gold")
    assert run(instance, "clients").success
    use(env=None)
    return warehouse


def test_sandbox_diff_shows_rows_columns_and_the_changed_keys(changed_sandbox):
    result = tailor(changed_sandbox, "sandbox", "diff", "crm/clients", "--limit", "2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "crm/clients: crm__dev_alice.clients vs crm.clients (sample: full)" in out
    assert "rows: 2001 in sandbox, 2000 in production (+1)" in out
    assert "added columns: tier (VARCHAR)" in out
    assert "rows by client_id: 4 key(s) changed, 1 only in sandbox, 1 only in production" in out
    shown = [line.split() for line in out.splitlines() if line.startswith(("sandbox", "prod"))]
    assert shown == [
        ["sandbox", "1", "south"],
        ["production", "1", "north"],
        ["sandbox", "2", "south"],
        ["production", "2", "north"],
    ]
    as_json = json.loads(tailor(changed_sandbox, "sandbox", "diff", "crm/clients", "--json").stdout)
    assert (as_json["changed_keys"], as_json["key"]) == (4, ["client_id"])


def test_sandbox_list_promote_and_drop(changed_sandbox):
    listed = tailor(changed_sandbox, "sandbox", "list", "--json")
    (row,) = json.loads(listed.stdout)
    assert (row["asset"], row["rows"], row["sample"]) == ("crm/clients", 2001, "full")
    assert datetime.fromisoformat(row["written_at"]).tzinfo is not None  # ISO 8601, with zone
    promote = tailor(changed_sandbox, "sandbox", "promote", "crm/clients")
    assert promote.returncode == 1
    assert "nothing was promoted" in promote.stderr
    assert "materialize crm/clients in prod" in promote.stderr
    production = fingerprint(changed_sandbox / "crm.sqlite")
    dropped = tailor(changed_sandbox, "sandbox", "drop", "--team", "crm", "--yes")
    assert "dropped crm__dev_alice" in dropped.stdout
    assert not (changed_sandbox / "sandboxes" / "crm__dev_alice.sqlite").exists()
    assert fingerprint(changed_sandbox / "crm.sqlite") == production
    assert tailor(changed_sandbox, "sandbox", "list").stdout.strip() == "(nothing)"
    missing = tailor(changed_sandbox, "sandbox", "diff", "crm/clients")
    assert missing.returncode == 1
    assert "crm/clients has no table in your sandbox" in missing.stderr
    assert "TAILOR_ENV=dev" in missing.stderr


def test_sandbox_diff_of_a_misspelt_asset_or_team_is_one_line_and_a_hint(changed_sandbox):
    for asset, error, hint in (
        ("crm/clints",
         f"crm/clints has no table in production ({changed_sandbox / 'crm.sqlite'}). "
         "Did you mean crm/clients?",
         "crm holds crm/client_orders, crm/clients, crm/orders"),
        ("crn/clients",
         f"crn/clients: production has no team 'crn' ({changed_sandbox / 'crn.sqlite'}). "
         "Did you mean crm?",
         "give the asset as team/name; production's teams: crm"),
    ):  # fmt: skip
        result = tailor(changed_sandbox, "sandbox", "diff", asset)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [f"Error: {error}", f"  hint: {hint}"]


def test_sandbox_drop_asks_unless_yes_and_needs_no_terminal(changed_sandbox):
    sandbox = changed_sandbox / "sandboxes" / "crm__dev_alice.sqlite"
    refused = tailor_process(changed_sandbox, "sandbox", "drop")  # no --yes, no one to answer
    assert refused.returncode == 1 and "Aborted" in refused.stderr
    assert sandbox.exists()
    dropped = tailor_process(changed_sandbox, "sandbox", "drop", "--yes")
    assert dropped.returncode == 0, dropped.stderr
    assert "dropped crm__dev_alice" in dropped.stdout
    assert not sandbox.exists()


def test_sandbox_drop_removes_nothing_while_one_sandbox_is_being_written(
    changed_sandbox, hold_writer_lock, instance, use
):
    use(env="dev")
    defs = team_definitions("ops", assets=[clients])
    assert defs.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance)
    hold_writer_lock(changed_sandbox / "sandboxes" / "ops__dev_alice.sqlite", 60)
    dropped = tailor_process(changed_sandbox, "sandbox", "drop", "--yes")
    assert dropped.returncode == 1 and "ops__dev_alice.sqlite" in dropped.stderr
    assert (changed_sandbox / "sandboxes" / "crm__dev_alice.sqlite").exists()
