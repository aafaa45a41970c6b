"""The benchmarks' helpers: the DuckDB-file warehouse (bench/duckdb_file_warehouse.py) stays
runnable, the three teams materializing with it swapped in, each team's tables in one DuckDB
file; the chunked landing generator, the capped run and the swap of a team's assets behave."""

import json
import subprocess
import sys

import pytest

from platform_lib.settings import REPO_ROOT
from platform_lib.workspace.locations import read_workspace


def test_the_three_teams_run_on_the_duckdb_file_baseline(landing_zone):
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "bench" / "team_throughput.py"),
         "--case", "duckdb_file", "--landing", str(landing_zone)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    teams = sorted(location.name for location in read_workspace())
    assert figures["stored"] == [f"{team}.duckdb" for team in teams]  # no lake
    steps = {key.split("/")[0] for key in figures if "/" in key}
    assert steps == set(teams)  # every team's assets ran and were stored


@pytest.fixture
def bench_modules(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO_ROOT / "bench"))


def test_chunked_landing_matches_the_landing_zone_schema(bench_modules, landing_zone, tmp_path):
    import pyarrow.parquet as pq
    from chunked_landing import INVENTORY, generate

    manifest = generate(tmp_path / "zone", 5_000, chunk_skus=7)  # 42 SKUs: six chunks
    written = pq.read_table(tmp_path / "zone" / INVENTORY)
    expected = pq.read_schema(landing_zone / INVENTORY).remove_metadata()
    assert written.schema.remove_metadata() == expected
    assert manifest["rows"][INVENTORY] == written.num_rows
    assert 4_900 <= written.num_rows <= 5_100  # about the rows asked for
    skus = written.column("sku").unique().to_pylist()
    assert sorted(skus) == [f"SKU-{i:07d}" for i in range(manifest["skus"])]  # every chunk's


def test_a_capped_run_is_killed_and_reported(bench_modules):
    from measure import run_capped

    hog = "x = bytearray(600 * 2**20); import time; time.sleep(60)"
    result = run_capped([sys.executable, "-c", hog], cap_mb=300, timeout=60)
    assert result["failed"].startswith("exceeded 300 MiB resident")
    assert result["watched_peak_mb"] > 300
    fine = run_capped([sys.executable, "-c", "print('{\"seconds\": 1}')"], cap_mb=300, timeout=60)
    assert fine["seconds"] == 1 and "failed" not in fine


def test_swapping_a_team_asset_replaces_it_or_names_what_is_missing(bench_modules):
    from dagster import asset
    from team_versions import swap_assets

    import teams.merchandising.inventory as module

    @asset(name="inventory")
    def other() -> None: ...

    original = module.inventory
    try:
        assert swap_assets("merchandising", {"inventory": other}) == [
            "teams.merchandising.inventory.inventory"
        ]
        assert module.inventory is other
    finally:
        module.inventory = original
    with pytest.raises(LookupError, match=r"merchandising has no asset named \['no_such'\]"):
        swap_assets("merchandising", {"no_such": other})
