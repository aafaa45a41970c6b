"""Two machines sharing one lake, simulated honestly: each host has its own DAGSTER_HOME (a
real on-disk instance), working folder and processes; they share only the PostgreSQL server
holding the catalogs and the lake's data folder. Every process connects as its team's role
(``tailor_<team>``) or as the reader (``tailor_reader``), through the real console scripts
(``dagster asset materialize``, ``tailor``) or a Python process of its own.

Shown: different teams and the same team materialized on both hosts at once, nothing lost;
each host reads the other's tables; a restore on one host is what the other reads; a writer
killed inside its commit leaves the table and the lake as they were, its orphan files removed
by upkeep later; upkeep with no grace never removes what another host's open snapshot reads;
the teams' real upkeep job works on the shared catalog as the team's role."""

import json
import os
import signal
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dagster import AssetKey

from platform_lib.settings import READER_ROLE, lake_role
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.records import table_history
from platform_lib.warehouse.shared_lake import LakeServer as SharedServer
from platform_lib.warehouse.shared_lake import SharedLake
from platform_lib.warehouse.upkeep import LakeUpkeep, upkeep_lake
from tests.aggressive_upkeep import AGGRESSIVE, soon
from tests.hosts import BIN, READ, RUN_SECONDS, WRITE, Host, finish, wait_for
from tests.overlap import most_at_once

pytestmark = pytest.mark.e2e

UPSTREAM, DOWNSTREAM = ["merchandising", "client_insights"], "styling"  # styling reads both
TEAMS = [*UPSTREAM, DOWNSTREAM]
INVENTORY = "merchandising/inventory"


def team_assets(workspace, team: str) -> list[str]:
    """The assets ``team`` owns (not the other teams' it reads)."""
    specs = workspace[team].resolve_all_asset_specs()
    return sorted(s.key.to_user_string() for s in specs if s.key.path[0] == team)


def runs(host: Host) -> list:
    records = host.instance().get_run_records()
    return [record for record in records if record.end_time is not None]


def windows(*records) -> list[tuple[float, float]]:
    return [(record.start_time, record.end_time) for record in records]


def versions_written(host: Host, assets: list[str]) -> dict[str, set[int]]:
    """The table version each materialization on ``host`` recorded, by asset."""
    written = {}
    with host.instance() as instance:
        for asset in assets:
            result = instance.fetch_materializations(AssetKey(asset.split("/")), limit=100)
            written[asset] = {
                record.asset_materialization.metadata["tailor/version"].value
                for record in result.records
            }
    return written


def lake_history(server, data: Path, team: str) -> dict[str, set[int]]:
    """Every version of each of ``team``'s tables, by asset, as the reader sees them."""
    found = defaultdict(set)
    lake = team_lake(server, data, team, READER_ROLE)
    with lake_connection(lake, read_only=True) as connection:
        for record in table_history(connection):
            found[f"{team}/{record.table}"].add(record.version)
    return found


def team_lake(server, data: Path, team: str, role: str | None = None) -> SharedLake:
    """``team``'s lake as ``role`` (default: the team's own) sees it, from this process."""
    role = role or lake_role(team)
    env = server.env(role, data)
    return SharedLake(team, SharedServer.from_env(env))


@pytest.fixture(scope="module")
def hosts(lake_server, landing_zone, tmp_path_factory) -> Iterator[tuple[Host, Host]]:
    """Hosts A and B on the three teams' fresh catalogs; every process they start is
    killed at the end (and by the parent-death signal if pytest itself is killed)."""
    lake_server.fresh(TEAMS)
    root = tmp_path_factory.mktemp("two_hosts")
    data, made = root / "shared_lake_data", []
    for name in "AB":
        host = Host(name, root / f"host_{name}", lake_server, data, landing_zone)
        host.dagster_home.mkdir(parents=True)
        (host.dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        made.append(host)
    yield tuple(made)
    for host in made:
        host.kill_all()


@pytest.fixture(scope="module")
def materialized(hosts, workspace) -> dict:
    """Phase 1: A materializes merchandising while B materializes client_insights. Phase 2:
    both materialize styling at once, each reading the tables the other host wrote."""
    a, b = hosts
    assets = {team: team_assets(workspace, team) for team in TEAMS}
    first = [a.materialize("merchandising", assets["merchandising"]),
             b.materialize("client_insights", assets["client_insights"])]  # fmt: skip
    for process in first:
        finish(process)
    second = [host.materialize(DOWNSTREAM, assets[DOWNSTREAM]) for host in hosts]
    for process in second:
        finish(process)
    return assets


def test_two_hosts_materialize_different_teams_and_the_same_team_at_once(hosts, materialized):
    a, b = hosts
    (a_first, a_second), (b_first, b_second) = (
        sorted(runs(host), key=lambda r: r.start_time) for host in hosts
    )
    assert most_at_once(windows(a_first, b_first)) == 2  # merchandising with client_insights
    assert most_at_once(windows(a_second, b_second)) == 2  # styling on both hosts
    assert all(r.dagster_run.is_success for host in hosts for r in runs(host))

    everything = [asset for team in TEAMS for asset in materialized[team]]
    tables = [asset.replace("/", ".") for asset in everything]
    seen_from_a, seen_from_b = a.read(tables), b.read(tables)
    assert seen_from_a == seen_from_b and all(seen_from_a.values())

    history = {team: lake_history(a.server, a.data, team) for team in TEAMS}
    for writer, teams in ((a, ["merchandising", DOWNSTREAM]), (b, ["client_insights", DOWNSTREAM])):
        for team in teams:  # every run's version is in its table's history
            for asset, written in versions_written(writer, materialized[team]).items():
                assert len(written) == 1 and written <= history[team][asset], asset
    styling = materialized[DOWNSTREAM]
    on_a, on_b = versions_written(a, styling), versions_written(b, styling)
    assert all(len(on_a[asset] | on_b[asset]) == 2 for asset in styling)  # both kept
    shown = {row["version"] for row in a.history(styling[0])}  # as `tailor` shows it
    assert shown == on_a[styling[0]] | on_b[styling[0]]
    assert {row["version"] for row in b.history(INVENTORY)} == history["merchandising"][INVENTORY]


def test_a_version_restored_on_one_host_is_what_the_other_reads(hosts, materialized):
    a, b = hosts
    table = INVENTORY.replace("/", ".")
    full = b.read([table])[table]
    (original,) = versions_written(a, [INVENTORY])[INVENTORY]
    finish(b.python(lake_role("merchandising"), WRITE, INVENTORY, "0", ""))
    assert a.read([table]) == {table: 7}

    said = a.tailor(lake_role("merchandising"), "table", "restore", INVENTORY, "--to",
                    str(original))  # fmt: skip
    assert f"{INVENTORY}: restored from version {original} " in said

    assert b.read([table]) == {table: full}
    latest = b.history(INVENTORY)[0]
    assert latest["action"] == f"restored from {original}" and latest["rows"] == full


def test_a_writer_killed_inside_its_commit_leaves_the_table_and_the_lake_intact(
    hosts, materialized, lake_server
):
    a, b = hosts
    table = INVENTORY.replace("/", ".")
    data = a.data / "merchandising"
    everything = [asset.replace("/", ".") for team in TEAMS for asset in materialized[team]]
    before, history = a.read(everything), lake_history(a.server, a.data, "merchandising")
    files_before = set(data.rglob("*.parquet"))

    signal_file = b.folder / "in_the_commit"
    writer = b.python(lake_role("merchandising"), WRITE, INVENTORY, "3", str(signal_file))
    wait_for(signal_file.exists, "the writer reaching its commit", writer)
    orphans = set(data.rglob("*.parquet")) - files_before
    assert orphans  # its data files are written, the catalog does not know them
    os.killpg(writer.pid, signal.SIGKILL)
    writer.wait()

    assert a.read(everything) == before
    assert lake_history(a.server, a.data, "merchandising") == history  # every table's
    lake = team_lake(lake_server, a.data, "merchandising")
    with lake.writer_lock(wait_seconds=10):  # held alone: the dead writer's ended with it
        pass
    started = time.monotonic()
    finish(a.python(lake_role("merchandising"), WRITE, INVENTORY, "0", ""))
    took = time.monotonic() - started
    assert b.read([table]) == {table: 7}
    after = lake_history(a.server, a.data, "merchandising")[INVENTORY]
    assert len(after) == len(history[INVENTORY]) + 1
    assert took < 60, f"the next write waited {took:.0f}s: a lock was left behind"

    keep_all = LakeUpkeep(retention_days=3650, keep_versions=1000, grace_hours=1)
    assert not set(map(str, orphans)) & set(upkeep_lake(lake, keep_all).files_removed)
    assert all(path.exists() for path in orphans)  # within the grace: a write may own them
    later = datetime.now(UTC) + timedelta(hours=2)
    removed = upkeep_lake(lake, keep_all, now=later).files_removed
    assert set(map(str, orphans)) <= set(removed)
    assert not any(path.exists() for path in orphans)
    assert b.read([table]) == {table: 7}


def test_upkeep_on_one_host_keeps_what_another_hosts_open_snapshot_reads(
    hosts, materialized, lake_server
):
    a, b = hosts
    table = INVENTORY.replace("/", ".")
    finish(a.python(lake_role("merchandising"), WRITE, INVENTORY, "0", ""))  # 7 rows now
    history = a.history(INVENTORY)
    past = next(row for row in history[1:] if row["rows"] != history[0]["rows"])
    as_of = f"merchandising@{past['version']}"
    reader = b.python(READER_ROLE, READ, table, as_of, "go", stdin=True)
    assert json.loads(reader.stdout.readline() or "null") == {table: past["rows"]}
    lake = team_lake(lake_server, a.data, "merchandising")

    report = upkeep_lake(lake, AGGRESSIVE, now=soon())  # A's, while B's connection is open
    out, err = reader.communicate("go\n", timeout=RUN_SECONDS)
    assert reader.returncode == 0, err[-3000:]
    assert json.loads(out.splitlines()[-1]) == {table: past["rows"]}  # B read it again
    assert past["version"] in report.kept_pinned and report.expired

    job = "merchandising_lake_upkeep_job"  # the real job, as the team's role, on host A
    finish(a.start(lake_role("merchandising"), str(BIN / "dagster"), "job", "execute", "-m",
                   "teams.merchandising.definitions", "-j", job))  # fmt: skip
    assert a.instance().get_run_records()[0].dagster_run.job_name == job
    report = upkeep_lake(lake, AGGRESSIVE, now=soon())  # B's pin ended with its connection
    assert past["version"] in report.expired and report.files_removed
    assert b.read([table]) == {table: history[0]["rows"]}
