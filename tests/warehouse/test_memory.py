"""Bounded memory per run: DuckDB's limit and spill folder on both instances of a process,
a clear failure for an eager input bigger than the limit or a function that runs out, and
the same table read lazily under the same limit. A real lake, real DuckDB, real runs."""

import json
import os
import subprocess
import sys
import textwrap

import duckdb
import pandas as pd
import polars as pl
import pytest
from dagster import AssetKey, asset

from platform_lib import WarehouseIOManager, team_definitions, warehouse_asset
from platform_lib.errors import WarehouseError
from platform_lib.settings import RUN_MEMORY_ENV, SPILL_DIR_ENV, WAREHOUSE_ENV
from platform_lib.warehouse.connection import default_connection, warehouse_instance
from platform_lib.warehouse.memory import (
    DEFAULT_SHARE,
    MEMORY_TAG,
    host_memory,
    limit_of,
    run_limit,
    shown,
    size_in_bytes,
)
from tests.conftest import run_assets

SPILLING_RUN = textwrap.dedent(
    """
    import json
    import duckdb
    from dagster import Output, asset
    from platform_lib import team_definitions
    from platform_lib.settings import spill_root
    from platform_lib.warehouse.connection import default_connection, warehouse_instance

    @asset
    def per_key():
        \"\"\"A sort and a group-by over 2M rows, far wider than a 64MB limit.\"\"\"
        events = duckdb.sql(
            "SELECT i % 1000003 AS k, random() AS v, 'x' || i AS s FROM range(2000000) r(i)"
        )
        duckdb.execute("SELECT s FROM events ORDER BY s DESC").fetchone()
        spilled = sorted(str(p.relative_to(spill_root())) for p in spill_root().rglob("*.tmp"))
        per_key = duckdb.sql("SELECT k, count(*) AS n, max(s) AS s FROM events GROUP BY k")
        return Output(per_key, metadata={"spilled": json.dumps(spilled)})

    result = team_definitions("shop", assets=[per_key]).resolve_implicit_global_asset_job_def(
    ).execute_in_process()
    metadata = result.asset_materializations_for_node("per_key")[0].metadata
    settings = "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    print(json.dumps({
        "tag": result.dagster_run.tags.get("tailor/memory_limit"),
        "rows": metadata["dagster/row_count"].value,
        "spilled": json.loads(metadata["spilled"].value),
        "instances": [
            list(c.execute(settings).fetchone())
            for c in (warehouse_instance(), default_connection())
        ],
    }))
    """
)


def test_a_query_wider_than_the_limit_spills_into_the_runs_folder_gone_when_it_ends(tmp_path):
    spill_root = tmp_path / "spill"
    ended = subprocess.Popen([sys.executable, "-c", ""])
    ended.wait()
    left_by_a_killed_run = spill_root / f"run-killed-{ended.pid}" / "default"
    left_by_a_killed_run.mkdir(parents=True)
    (left_by_a_killed_run / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"x")
    environment = os.environ | {
        RUN_MEMORY_ENV: "64MB",
        SPILL_DIR_ENV: str(spill_root),
        WAREHOUSE_ENV: str(tmp_path / "warehouse"),
    }
    done = subprocess.run(
        [sys.executable, "-c", SPILLING_RUN], env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["tag"] == "61.0 MiB" and seen["rows"] == 1_000_003
    (folder,) = {name.split("/")[0] for name in seen["spilled"]}
    assert folder.startswith("run-")  # the run's own folder, its default instance spilling
    assert any(name.startswith(f"{folder}/default/duckdb_temp") for name in seen["spilled"])
    assert seen["instances"] == [
        ["61.0 MiB", str(spill_root / folder / "warehouse")],
        ["61.0 MiB", str(spill_root / folder / "default")],
    ]
    # removed when the run's process ended; a killed process's, by the next process to spill
    assert list(spill_root.iterdir()) == []


def test_a_run_sets_a_share_of_the_hosts_memory_on_both_instances_and_shows_it(warehouse, capfd):
    @asset
    def tiny() -> pd.DataFrame:
        """One row."""
        return pd.DataFrame({"a": [1]})

    result = run_assets("shop", [tiny])
    expected = int(host_memory() * DEFAULT_SHARE)
    for connection in (warehouse_instance(), default_connection()):
        assert abs(limit_of(connection) - expected) < 0.02 * expected  # DuckDB shows 0.1 GiB
    assert result.dagster_run.tags[MEMORY_TAG] == shown(size_in_bytes(run_limit()))
    assert f"DuckDB memory limit {shown(size_in_bytes(run_limit()))}" in capfd.readouterr().err


def test_a_limit_that_is_not_a_size_is_refused_naming_the_setting(monkeypatch):
    monkeypatch.setenv(RUN_MEMORY_ENV, "lots")
    with pytest.raises(WarehouseError, match=f"'lots' is not a size.*{RUN_MEMORY_ENV}"):
        run_limit()


@asset
def big() -> duckdb.DuckDBPyRelation:
    """A million rows: about 70 MB in pandas, 18 MB in polars."""
    return duckdb.sql("SELECT i, 'client ' || i AS name FROM range(1000000) r(i)")


@asset(name="big")
def wide() -> duckdb.DuckDBPyRelation:
    """300k rows of long names: DuckDB's own buffers for its first rows exceed 16 MB."""
    return duckdb.sql("SELECT i, repeat('.', 60) || i AS name FROM range(300000) r(i)")


@pytest.fixture
def big_table(warehouse):
    run_assets("shop", [big])


def run_under(limit: str, reader, **options):
    """Materialize ``reader`` alone (``big`` is written) with the warehouse's limit ``limit``."""
    manager = WarehouseIOManager(team="shop", memory_limit=limit)
    defs = team_definitions("shop", assets=[big, reader], resources={"io_manager": manager})
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(asset_selection=[AssetKey(["shop", "summary"])], **options)


@pytest.mark.parametrize("kind", [pd.DataFrame, pl.DataFrame], ids=["pandas", "polars"])
def test_an_eager_input_bigger_than_the_limit_fails_naming_asset_table_size_and_way_out(
    big_table, run_failure, kind
):
    @asset
    def summary(big: kind) -> pd.DataFrame:
        """Collects the whole table."""
        return pd.DataFrame({"rows": [len(big)]})

    message = run_failure(run_under("16MB", summary, raise_on_error=False))
    assert "Asset shop/summary cannot load its input shop/big" in message
    assert "its 1,000,000 rows, about" in message and "memory limit of 15.2 MiB" in message
    assert "duckdb.DuckDBPyRelation" in message and "polars.LazyFrame" in message
    assert RUN_MEMORY_ENV in message


def test_an_eager_read_duckdb_itself_runs_out_on_is_the_same_clear_error(warehouse, run_failure):
    run_assets("shop", [wide])

    @asset
    def summary(big: pd.DataFrame) -> pd.DataFrame:
        """Collects the whole table."""
        return pd.DataFrame({"rows": [len(big)]})

    message = run_failure(run_under("16MB", summary, raise_on_error=False))
    assert "Out of Memory Error" in message  # DuckDB's, translated:
    assert "Asset shop/summary cannot load its input shop/big" in message
    assert "its 300,000 rows would not fit the run's memory limit of 15.2 MiB" in message


def test_the_same_table_read_as_a_relation_under_the_same_limit_succeeds(big_table, read_table):
    @asset
    def summary(big: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
        """Counts in DuckDB."""
        return duckdb.sql("SELECT count(*) AS rows FROM big")

    assert run_under("16MB", summary).success
    assert read_table("shop.summary")["rows"].tolist() == [1_000_000]


def test_a_query_that_runs_out_of_memory_as_it_is_written_says_so_and_how_to_fix_it(
    big_table, run_failure, read_table
):
    @asset
    def summary(big: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
        """One list of every name: an aggregate DuckDB cannot spill."""
        return duckdb.sql("SELECT list(name) AS names FROM big")

    message = run_failure(run_under("16MB", summary, raise_on_error=False))
    assert "Asset shop/summary: the duckdb.DuckDBPyRelation it returned failed as it ran" in message
    assert "OutOfMemoryException" in message and "cannot spill" in message
    assert f"raise {RUN_MEMORY_ENV}" in message and "failing rows" not in message


def test_a_function_that_runs_out_of_memory_fails_naming_the_asset_and_the_lazy_kinds(
    warehouse, run_failure
):
    @warehouse_asset
    def greedy() -> pd.DataFrame:
        """Asks for more than there is."""
        raise MemoryError("Unable to allocate 40.0 GiB for an array")

    message = run_failure(run_assets("shop", [greedy], raise_on_error=False))
    assert "Asset shop/greedy ran out of memory in its function" in message
    assert "duckdb.DuckDBPyRelation" in message and RUN_MEMORY_ENV in message


def test_a_spill_folder_this_user_may_not_make_is_named_with_the_setting(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    done = subprocess.run(
        [sys.executable, "-c", "from platform_lib.warehouse.connection import warehouse_instance\n"
         "warehouse_instance()"],
        env=os.environ | {SPILL_DIR_ENV: str(blocked / "spill")}, capture_output=True, text=True,
    )  # fmt: skip
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"platform_lib.errors.WarehouseError: DuckDB's spill folder {blocked}")
    assert f"set {SPILL_DIR_ENV} to a folder this user may write" in last
