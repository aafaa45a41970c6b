"""A damaged lake is named: a missing or corrupted data file (the file, the table, the
asset and `tailor table restore`), a catalog that cannot be opened (not SQLite, or not
readable by the user), extension packages built for another DuckDB."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dagster import AssetIn, AssetKey, asset

from platform_lib import team_definitions
from platform_lib.errors import WarehouseError
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake

OPEN_LAKE = """
import sys
from pathlib import Path
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake
try:
    with lake_connection(FileLake(Path(sys.argv[1])), read_only=sys.argv[2] == "read"):
        pass
except Exception as error:
    print(type(error).__name__, error)
"""


@asset
def orders() -> pd.DataFrame:
    """One row per order."""
    return pd.DataFrame({"id": range(100), "amount": [float(i) for i in range(100)]})


@asset(ins={"orders": AssetIn()})
def totals(orders: pd.DataFrame) -> pd.DataFrame:
    """The orders' total."""
    return pd.DataFrame({"total": [orders["amount"].sum()]})


def the_data_file(warehouse: Path) -> Path:
    (file,) = (Path(FileLake(warehouse / "shop.sqlite").data_path) / "main" / "orders").glob(
        "*.parquet"
    )
    return file


@pytest.mark.parametrize("damage", ["missing", "corrupted"])
def test_a_read_of_a_table_whose_data_file_is_damaged_names_the_file_and_the_way_back(
    warehouse, run_team, run_failure, damage
):
    run_team("shop", [orders])
    file = the_data_file(warehouse)
    if damage == "missing":
        file.unlink()
    else:
        file.write_bytes(b"not parquet" * 20)
    job = team_definitions("shop", assets=[orders, totals]).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        asset_selection=[AssetKey(["shop", "totals"])], raise_on_error=False
    )
    message = run_failure(result)
    assert f"its data file {file} is {'missing' if damage == 'missing' else 'damaged'}" in message
    assert "asset shop/orders (table shop.orders)" in message
    assert "tailor table restore shop/orders --to VERSION" in message


def test_a_catalog_that_is_not_sqlite_is_named_with_its_team(warehouse):
    warehouse.mkdir()
    catalog = warehouse / "shop.sqlite"
    catalog.write_bytes(b"this is no catalog " * 100)
    with (
        pytest.raises(WarehouseError) as raised,
        lake_connection(FileLake(catalog), read_only=True),
    ):
        pass
    message = str(raised.value)
    assert f"The catalog of the lake 'shop' ({catalog}) could not be opened" in message
    assert "it is not a SQLite file" in message and "restore it from a backup" in message


@pytest.mark.skipif(os.geteuid() != 0, reason="runs a second process as another user")
def test_a_catalog_the_user_may_not_read_is_named_with_what_to_do(warehouse, run_team):
    run_team("shop", [orders])
    shared = Path(tempfile.mkdtemp(prefix="tailor-"))  # a folder every user may enter
    try:
        shared.chmod(0o755)
        catalog = shared / "shop.sqlite"
        shutil.copy(warehouse / "shop.sqlite", catalog)
        catalog.chmod(0o600)  # root's alone
        printed = subprocess.run(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable,
             "-c", OPEN_LAKE, str(catalog), "read"],
            capture_output=True, text=True, cwd=Path(__file__).parents[2], check=True,
        ).stdout  # fmt: skip
    finally:
        shutil.rmtree(shared)
    assert printed.startswith("WarehouseError The catalog of the lake 'shop'")
    assert "this user may not read it" in printed and f"ls -l {catalog}" in printed


def test_extension_packages_built_for_another_duckdb_are_named(tmp_path):
    package = tmp_path / "site" / "duckdb_extension_ducklake"
    (package / "extensions" / "v1.4.2").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "extensions" / "v1.4.2" / "ducklake.duckdb_extension").write_bytes(b"")
    printed = subprocess.run(
        [sys.executable, "-c", OPEN_LAKE, str(tmp_path / "shop.sqlite"), "write"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": f"{tmp_path / 'site'}{os.pathsep}{Path.cwd()}"},
    ).stdout  # fmt: skip
    assert printed.startswith(
        "WarehouseError The duckdb-extension-ducklake package is built for DuckDB 1.4.2, but "
        f"DuckDB {duckdb.__version__} is installed"
    )
    assert f"pip install 'duckdb-extension-ducklake=={duckdb.__version__}'" in printed
    assert not (tmp_path / "shop.sqlite").exists()
