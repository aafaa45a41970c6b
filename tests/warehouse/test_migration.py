"""`tailor warehouse migrate`: the DuckDB-file warehouse (a file per team and per sandbox,
its records in tailor.tables) moved into the lake, every table, row and type kept, each
record carried as the table's first version; the old files left in place; twice moves
nothing twice; a lake table with other rows is refused; a file of DuckDB 2.0 is named with
the way out; make dev on an old layout says to migrate."""

import gzip
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from dagster import AssetKey

from platform_lib.cli.main import tailor
from platform_lib.settings import REPO_ROOT, WAREHOUSE_ENV
from platform_lib.sql import column_types
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake
from platform_lib.warehouse.io_manager import WarehouseIOManager
from platform_lib.warehouse.records import table_history
from platform_lib.warehouse.write_request import WriteRequest

ORDERS = pd.DataFrame(
    {
        "id": [1, 2, 3],
        "amount": [1.5, np.nan, 3.25],
        "region": pd.Categorical(["north", "south", "north"]),
        "note": ["a", None, "it's"],
        "at": pd.to_datetime(["2026-01-01 10:00", "2026-01-02 00:00", "2026-01-03 00:00"]),
        "at_paris": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]).tz_localize(
            "Europe/Paris"
        ),
        "items": [[1, 2], [], [3]],
        "open": [True, False, None],
    }
)
STOCK = pd.DataFrame({"sku": ["x", "y"], "units": np.array([5, 7], dtype="int32")})


def write_old(path: Path, tables: dict[str, pd.DataFrame], records: dict[str, tuple]) -> None:
    """A warehouse file as the DuckDB-file warehouse wrote it (main's writes.py and
    catalog.py): each table by CREATE OR REPLACE ... AS SELECT from the frame, its record in
    tailor.tables in the same transaction."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(path))
    for name, frame in tables.items():
        connection.register("tailor_frame", frame)
        connection.execute("BEGIN TRANSACTION")
        connection.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM tailor_frame')
        connection.execute("CREATE SCHEMA IF NOT EXISTS tailor")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS tailor.tables (table_name VARCHAR PRIMARY KEY, "
            "sample_by VARCHAR, sample VARCHAR, sample_seed VARCHAR, environment VARCHAR, "
            "run_id VARCHAR, written_at TIMESTAMPTZ)"
        )
        if name in records:
            connection.execute(
                "INSERT OR REPLACE INTO tailor.tables (table_name, sample_by, sample, "
                "sample_seed, environment, run_id, written_at) VALUES (?, ?, ?, ?, ?, ?, now())",
                [name, *records[name]],
            )
        connection.execute("COMMIT")
        connection.unregister("tailor_frame")
    connection.close()


@pytest.fixture
def old_layout(warehouse) -> dict[str, Path]:
    files = {
        "shop": warehouse / "shop.duckdb",
        "sandbox": warehouse / "sandboxes" / "shop__dev_alice.duckdb",
    }
    write_old(
        files["shop"],
        {"orders": ORDERS, "stock": STOCK},
        {"orders": ("id", "full", "7", "prod", "run-orders")},
    )
    write_old(
        files["sandbox"], {"orders": ORDERS.head(1)}, {"orders": ("id", "0.1", "7", "dev", "r-dev")}
    )
    return files


def migrate() -> tuple[int, str, str]:
    result = CliRunner().invoke(tailor, ["warehouse", "migrate"])
    return result.exit_code, result.stdout, result.stderr


def lake_frame(catalog: Path, table: str) -> tuple[pd.DataFrame, dict]:
    with lake_connection(FileLake(catalog), read_only=True) as connection:
        frame = connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchdf()
        return frame, column_types(connection, table)


def old_types(path: Path, table: str) -> dict:
    with duckdb.connect(str(path), read_only=True) as connection:
        return column_types(connection, table)


def test_every_table_row_and_type_moves_into_the_lake_with_its_record(warehouse, old_layout):
    code, out, err = migrate()
    assert code == 0, out + err
    orders, types = lake_frame(warehouse / "shop.sqlite", "orders")
    with duckdb.connect(str(old_layout["shop"]), read_only=True) as connection:
        before = connection.execute("SELECT * EXCLUDE region FROM orders ORDER BY 1").fetchdf()
    pd.testing.assert_frame_equal(orders.drop(columns="region"), before)
    assert orders["region"].tolist() == ["north", "south", "north"]
    assert orders["at_paris"].tolist() == ORDERS["at_paris"].tolist()
    assert types == {**old_types(old_layout["shop"], "orders"), "region": "VARCHAR"}
    stock, stock_types = lake_frame(warehouse / "shop.sqlite", "stock")
    pd.testing.assert_frame_equal(stock, STOCK)
    assert stock_types == {"sku": "VARCHAR", "units": "INTEGER"}
    sandbox, _ = lake_frame(warehouse / "sandboxes" / "shop__dev_alice.sqlite", "orders")
    assert len(sandbox) == 1

    with lake_connection(FileLake(warehouse / "shop.sqlite"), read_only=True) as connection:
        (record,) = table_history(connection, "orders")
        (unrecorded,) = table_history(connection, "stock")
    assert (record.action, record.run_id, record.sample_by, record.sample_seed) == (
        "migrate",
        "run-orders",
        "id",
        "7",
    )
    assert (unrecorded.action, unrecorded.environment, unrecorded.sample) == (
        "migrate",
        "prod",
        "full",
    )

    assert "Migrated 3 table(s) into the lake." in out
    assert "shop.orders.region: ENUM (a categorical) stored as VARCHAR" in out
    assert "delete them once you no longer need them" in out
    for path in old_layout.values():
        assert path.is_file() and f"  {path}\n" in out  # left in place, and named


def test_migrating_twice_moves_nothing_twice(warehouse, old_layout):
    assert migrate()[0] == 0
    code, out, _ = migrate()
    assert code == 0 and "Migrated 0 table(s) into the lake; 3 already there." in out
    with lake_connection(FileLake(warehouse / "shop.sqlite"), read_only=True) as connection:
        assert len(table_history(connection, "orders")) == 1
        assert connection.execute("SELECT count(*) FROM orders").fetchall() == [(3,)]


def test_a_lake_table_with_other_rows_is_refused_and_nothing_is_migrated(warehouse, old_layout):
    request = WriteRequest(AssetKey(["shop", "stock"]), STOCK.head(1), run_id="newer")
    WarehouseIOManager().store(request, logging.getLogger())
    code, _, err = migrate()
    assert code == 1
    assert (
        f"Nothing was migrated: the lake shop ({warehouse / 'shop.sqlite'}) already has a table "
        f"stock with other rows or columns than stock in {old_layout['shop']}"
    ) in err
    with lake_connection(FileLake(warehouse / "shop.sqlite"), read_only=True) as connection:
        assert connection.execute("SHOW TABLES").fetchall() == [("stock",)]
    assert not (warehouse / "sandboxes" / "shop__dev_alice.sqlite").exists()


def test_a_lake_table_with_the_same_rows_counts_as_migrated(warehouse, old_layout):
    request = WriteRequest(AssetKey(["shop", "stock"]), STOCK, run_id="same")
    WarehouseIOManager().store(request, logging.getLogger())
    code, out, _ = migrate()
    assert code == 0 and "Migrated 2 table(s) into the lake; 1 already there." in out


def test_a_file_written_by_duckdb_2_is_named_with_the_way_out(warehouse):
    warehouse.mkdir()
    old = warehouse / "shop.duckdb"  # made by DuckDB 2.0.1 with the old layout's writes
    fixture = Path(__file__).with_name("shop_written_by_duckdb_2.0.1.duckdb.gz")
    old.write_bytes(gzip.decompress(fixture.read_bytes()))
    code, _, err = migrate()
    assert code == 1
    assert f"{old} was written by DuckDB 2.0, whose storage format this warehouse's DuckDB" in err
    assert f"scripts/duckdb_file_for_1x.py {old}" in err
    assert not (warehouse / "shop.sqlite").exists()


def test_the_way_out_script_rewrites_a_file_keeping_every_table(warehouse, old_layout):
    printed = subprocess.run(
        [sys.executable, REPO_ROOT / "scripts" / "duckdb_file_for_1x.py", old_layout["shop"]],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "rewritten for DuckDB 1.x (storage v1.0.0)" in printed
    assert (warehouse / "shop.duckdb.original").is_file()
    assert migrate()[0] == 0
    stock, _ = lake_frame(warehouse / "shop.sqlite", "stock")
    pd.testing.assert_frame_equal(stock, STOCK)


@pytest.mark.e2e
def test_make_dev_on_an_old_layout_says_to_migrate(
    tmp_path, old_layout, warehouse, closed_port, refused_make_dev
):
    shutil.rmtree(old_layout["sandbox"].parent)
    make, out, err = refused_make_dev(
        f"PORT={closed_port()}", f"DAGSTER_HOME={tmp_path / 'home'}",
        env={WAREHOUSE_ENV: str(warehouse)},
    )  # fmt: skip
    assert make.returncode != 0, out
    assert f"the warehouse {warehouse} is in the old layout (a DuckDB file per team): " in err
    assert (
        "shop.duckdb not moved into the lake yet. Run `.venv/bin/tailor warehouse migrate`" in err
    )
    assert "Tailor is starting" not in out
    assert not (tmp_path / "home" / "storage").exists()  # nothing started
    assert migrate()[0] == 0  # once migrated, make dev's checks pass
    started = subprocess.run(
        [sys.executable, "scripts/start_dev.py", "--host", "127.0.0.1", "--port",
         str(closed_port()), "--check-warehouse", "--", "echo", "started"],
        cwd=REPO_ROOT, env={**os.environ, WAREHOUSE_ENV: str(warehouse)}, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert started.returncode == 0 and started.stdout == "started\n", started.stderr


HOLD_WRITABLE = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_a_file_held_open_by_another_process_is_named(warehouse, old_layout):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITABLE, str(old_layout["shop"])],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        code, _, err = migrate()
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    assert f"{old_layout['shop']} is held open by another process" in err
    assert "stop it (a make dev or a notebook of the old warehouse)" in err


def test_a_warehouse_without_old_files_has_nothing_to_migrate(warehouse):
    code, out, err = migrate()
    assert code == 0 and out == ""
    assert f"Nothing to migrate: {warehouse} has no DuckDB files of the old layout." in err
    assert not warehouse.exists()  # no lake made for nothing
