"""The lake's upkeep: old versions expired (each table's latest N, its current one and any
pinned version kept), the files no version needs removed from disk, small files merged, and
the tables reading the same afterwards; a daily schedule in every team's location."""

import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance, DefaultScheduleStatus

from platform_lib import team_definitions
from platform_lib.environment.run_environment import ENV_VAR
from platform_lib.errors import WarehouseError
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake
from platform_lib.warehouse.io_manager import WarehouseIOManager
from platform_lib.warehouse.records import table_history
from platform_lib.warehouse.upkeep import LakeUpkeep, upkeep_lake
from platform_lib.warehouse.write_request import WriteRequest
from platform_lib.workspace.locations import read_workspace

LATER = datetime.now(UTC) + timedelta(days=40)
"""A "now" past the default retention of every version written in a test."""

HOLD_PIN = """
import sys, time
from pathlib import Path
from platform_lib.warehouse.file_lake import FileLake
with FileLake(Path(sys.argv[1])).pin(int(sys.argv[2])):
    print("pinned", flush=True)
    time.sleep(60)
"""


def write(warehouse, table: str, rows: int, run: str = "run") -> int:
    """Write ``rows`` rows (enough for a Parquet file, not inlined) as ``team.table``."""
    frame = pd.DataFrame({"id": range(rows), "value": [f"{run}-{i}" for i in range(rows)]})
    request = WriteRequest(AssetKey(["team", table]), frame, run_id=run)
    return (
        WarehouseIOManager(directory=str(warehouse))
        .store(request, logging.getLogger())["tailor/version"]
        .value
    )


def versions(catalog, table: str) -> list[int]:
    with lake_connection(FileLake(catalog), read_only=True) as connection:
        return [record.version for record in table_history(connection, table)]


def parquet_files(catalog) -> set:
    return set(Path(FileLake(catalog).data_path).rglob("*.parquet"))


def read(catalog, table: str, version: int | None = None) -> pd.DataFrame:
    with lake_connection(FileLake(catalog), read_only=True, version=version) as connection:
        return connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchdf()


def test_old_versions_expire_but_each_table_keeps_its_latest_and_files_leave_the_disk(warehouse):
    catalog = warehouse / "team.sqlite"
    for run in range(7):
        write(warehouse, "orders", 100 + run, f"orders-{run}")
    write(warehouse, "stock", 50, "stock-0")
    before_orders, before_stock = read(catalog, "orders"), read(catalog, "stock")
    files_before = parquet_files(catalog)
    assert len(files_before) == 8

    report = upkeep_lake(FileLake(catalog), LakeUpkeep(keep_versions=3), now=LATER)

    orders, stock = versions(catalog, "orders"), versions(catalog, "stock")
    assert len(orders) == 3 and len(stock) == 1  # the latest 3 of orders, stock's only one
    assert len(report.expired) >= 4
    assert not set(report.expired) & {*orders, *stock}
    pd.testing.assert_frame_equal(read(catalog, "orders"), before_orders)
    pd.testing.assert_frame_equal(read(catalog, "stock"), before_stock)
    assert len(read(catalog, "orders", version=orders[0])) == 104  # a kept version reads
    removed = files_before - parquet_files(catalog)
    assert len(removed) == 4 and {str(path) for path in removed} <= set(report.files_removed)
    assert report.bytes_removed > 0
    assert f"removed 4 file(s), {report.bytes_removed:,} bytes" in report.describe()


def test_versions_within_the_retention_are_all_kept(warehouse):
    catalog = warehouse / "team.sqlite"
    for run in range(4):
        write(warehouse, "orders", 100, f"run-{run}")
    report = upkeep_lake(FileLake(catalog), LakeUpkeep(keep_versions=1))
    assert report.expired == [] and len(versions(catalog, "orders")) == 4
    assert report.files_removed == []


def test_a_version_pinned_by_another_process_is_never_expired(warehouse):
    catalog = warehouse / "team.sqlite"
    first = write(warehouse, "orders", 100, "first")
    for run in range(3):
        write(warehouse, "orders", 100, f"later-{run}")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_PIN, str(catalog), str(first)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "pinned"
        report = upkeep_lake(FileLake(catalog), LakeUpkeep(keep_versions=1), now=LATER)
    finally:
        holder.kill()
        holder.wait()
    assert first in versions(catalog, "orders") and first in report.kept_pinned
    assert first not in report.expired and len(versions(catalog, "orders")) == 2
    assert read(catalog, "orders", version=first)["value"].iloc[0] == "first-0"
    # the pin went with its process: the next upkeep expires it
    assert first in upkeep_lake(FileLake(catalog), LakeUpkeep(keep_versions=1), now=LATER).expired


def test_orphaned_files_of_failed_writes_are_removed_only_once_old(warehouse):
    catalog = warehouse / "team.sqlite"
    write(warehouse, "orders", 100)
    orphan = (
        Path(FileLake(catalog).data_path)
        / "main"
        / "orders"
        / "ducklake-left-by-a-killed-write.parquet"
    )
    orphan.write_bytes(b"PAR1" + b"\0" * 1000)

    assert str(orphan) not in upkeep_lake(FileLake(catalog), LakeUpkeep()).files_removed
    assert orphan.exists()  # a write in progress keeps its files
    report = upkeep_lake(FileLake(catalog), LakeUpkeep(), now=LATER)
    assert str(orphan) in report.files_removed and not orphan.exists()
    assert report.bytes_removed >= 1004
    assert len(read(catalog, "orders")) == 100


def test_small_files_are_merged_and_read_the_same(warehouse):
    catalog = warehouse / "team.sqlite"
    write(warehouse, "orders", 100)
    for start in (100, 200, 300):
        with lake_connection(FileLake(catalog), read_only=False) as connection:
            connection.execute(
                f"INSERT INTO orders SELECT range, 'x' FROM range({start}, {start + 20})"
            )
    before = read(catalog, "orders")
    report = upkeep_lake(FileLake(catalog), LakeUpkeep())
    assert report.files_merged == 4
    pd.testing.assert_frame_equal(read(catalog, "orders"), before)


def test_a_team_sets_its_own_retention_and_bad_values_are_refused():
    with pytest.raises(WarehouseError, match="keep_versions=0"):
        LakeUpkeep(keep_versions=0)
    with pytest.raises(WarehouseError, match="retention_days=-1"):
        LakeUpkeep(retention_days=-1)
    defs = team_definitions(
        "shop", assets=[], upkeep=LakeUpkeep(retention_days=90, keep_versions=9)
    )
    job = defs.resolve_job_def("shop_lake_upkeep_job")
    assert job.run_config["ops"]["shop_lake_upkeep"]["config"] == {
        "retention_days": 90,
        "keep_versions": 9,
        "grace_hours": 12,
    }


def test_every_team_location_has_a_daily_upkeep_schedule_running_its_own_job():
    for location in read_workspace():
        team = location.name
        defs = location.load()
        schedule = defs.resolve_schedule_def(f"{team}_lake_upkeep")
        assert schedule.job_name == f"{team}_lake_upkeep_job"
        assert schedule.cron_schedule == "15 4 * * *"
        assert schedule.default_status == DefaultScheduleStatus.RUNNING


def test_the_upkeep_job_keeps_the_team_lake_and_says_what_it_removed(warehouse, monkeypatch):
    catalog = warehouse / "shop.sqlite"
    monkeypatch.setenv(ENV_VAR, "prod")
    for run in range(3):
        frame = pd.DataFrame({"id": range(100)})
        WarehouseIOManager().store(
            WriteRequest(AssetKey(["shop", "orders"]), frame, run_id=f"r{run}"), logging.getLogger()
        )
    defs = team_definitions("shop", assets=[])
    job = defs.resolve_job_def("shop_lake_upkeep_job")
    config = {
        "ops": {
            "shop_lake_upkeep": {
                "config": {"retention_days": 0, "keep_versions": 1, "grace_hours": 0}
            }
        }
    }
    instance = DagsterInstance.ephemeral()
    result = job.execute_in_process(run_config=config, instance=instance)
    assert result.success
    metadata = next(
        event.step_output_data.metadata for event in result.all_events if event.is_successful_output
    )
    assert metadata["files_removed"].value == 2 and metadata["bytes_removed"].value > 0
    assert len(metadata["expired_versions"].value) >= 2
    assert len(versions(catalog, "orders")) == 1

    monkeypatch.setenv(ENV_VAR, "dev")  # a dev run never writes production's lake
    result = job.execute_in_process(run_config=config, instance=instance)
    metadata = next(
        e.step_output_data.metadata for e in result.all_events if e.is_successful_output
    )
    assert "dev run" in metadata["skipped"].value
