"""A table's versions, newest first, and which one a restore's `to` names: a version number,
a run id (or the 8 characters the UI shows), a time; and the errors for what names none."""

import logging

import pandas as pd
import pytest
from dagster import AssetKey

from platform_lib.errors import WarehouseError
from platform_lib.settings import warehouse_dir
from platform_lib.sql import quote_literal
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.io_manager import WarehouseIOManager
from platform_lib.warehouse.restore import restore_source
from platform_lib.warehouse.versions import asset_table, versions_of
from platform_lib.warehouse.write_request import WriteRequest

RUNS = ["aaaaaaaa-1111-4000-8000-000000000001", "bbbbbbbb-2222-4000-8000-000000000002"]


def store(label: str, rows: int, run_id: str) -> None:
    frame = pd.DataFrame({"n": range(rows)})
    request = WriteRequest(asset_key=AssetKey(label.split("/")), frame=frame, run_id=run_id)
    WarehouseIOManager().store(request, logging.getLogger("test"))


@pytest.fixture
def scores(warehouse, use):
    """crm/other at version 1, then crm/scores at 2 (1 row), 3 (2 rows) and 4 (3 rows)."""
    use(env=None)
    store("crm/other", 1, "other-run")
    for rows, run_id in zip((1, 2, 3), [*RUNS, "cccccccc-3333"], strict=True):
        store("crm/scores", rows, run_id)
    return asset_table("crm/scores", warehouse_dir())


def chosen(location, to: str) -> tuple[int, int]:
    version = restore_source(location, "crm/scores", to)
    return version.version, version.rows


def test_versions_are_listed_newest_first_with_their_rows_run_and_author(scores):
    versions = versions_of(scores, "crm/scores")
    assert [(v.version, v.rows, v.record.run_id) for v in versions] == [
        (4, 3, "cccccccc-3333"),
        (3, 2, RUNS[1]),
        (2, 1, RUNS[0]),
    ]
    row = versions[0].as_row()
    assert (row["author"], row["environment"], row["action"], row["sample"]) == (
        "alice",
        "prod",
        "write",
        "full",
    )


def test_to_names_a_version_by_number_run_id_short_run_id_or_time(scores):
    versions = {v.version: v for v in versions_of(scores, "crm/scores")}
    assert chosen(scores, "3") == (3, 2)
    assert chosen(scores, RUNS[0]) == (2, 1)
    assert chosen(scores, RUNS[1][:8]) == (3, 2)
    store("crm/scores", 4, "12345678-4444")  # a short run id all of digits names its run
    assert chosen(scores, "12345678") == (5, 4)
    assert chosen(scores, versions[3].record.written_at.isoformat()) == (3, 2)
    naive = versions[2].record.written_at.replace(tzinfo=None).isoformat()  # read as UTC
    assert chosen(scores, naive) == (2, 1)


REFUSED = [
    ("1", "the table did not exist at version 1"),
    ("9", "version 9 does not exist yet (the lake's latest is 4)"),
    ("dddddddd-4444", "no version of it was written by run 'dddddddd-4444'"),
    ("2001-01-01T00:00:00", "no version of it at or before 2001-01-01 00:00:00 UTC is kept"),
]


def test_a_to_naming_no_version_is_refused_listing_the_versions(scores):
    for to, problem in REFUSED:
        with pytest.raises(WarehouseError) as refused:
            restore_source(scores, "crm/scores", to)
        message = str(refused.value)
        assert message.startswith(f"Cannot restore crm/scores: {problem}")
        assert ". Its versions, newest first: 4 (" in message
        assert "4 (" in message and ", run cccccccc, 3 rows)" in message
        assert "; 2 (" in message and f", run {RUNS[0][:8]}, 1 row)" in message
        assert refused.value.hint.startswith("`tailor table history crm/scores` lists them")


def test_an_expired_version_is_told_as_expired(scores):
    with lake_connection(scores.lake, read_only=False) as connection:
        lake = connection.execute("SELECT current_database()").fetchall()[0][0]
        connection.execute(
            f"CALL ducklake_expire_snapshots({quote_literal(lake)}, versions => [2])"
        )
    with pytest.raises(
        WarehouseError, match="version 2 was expired .older than the lake's retention"
    ):
        restore_source(scores, "crm/scores", "2")
    assert [v.version for v in versions_of(scores, "crm/scores")] == [4, 3]


def test_an_asset_without_versions_is_told_apart_from_a_misspelt_one(scores, use):
    with pytest.raises(WarehouseError, match="does not exist: .* Did you mean crm/scores"):
        versions_of(asset_table("crm/scors", warehouse_dir()), "crm/scors")
    use(env="dev")
    sandbox = asset_table("crm/scores", warehouse_dir())
    with pytest.raises(WarehouseError, match="has no versions in your sandbox crm__dev_alice"):
        versions_of(sandbox, "crm/scores")
    with pytest.raises(WarehouseError, match="'crm' is not an asset; name it as team/name"):
        asset_table("crm", warehouse_dir())
