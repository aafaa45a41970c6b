"""A connection reading a past version pins it for as long as it is open: upkeep on any host,
however aggressive, keeps that version and its files, and expires it once the connection is
closed. On the embedded lake (a SQLite catalog) and on the shared one (PostgreSQL)."""

import logging

import pandas as pd
import pytest
from dagster import AssetKey

from platform_lib.warehouse.connection import connect_lakes
from platform_lib.warehouse.io_manager import WarehouseIOManager
from platform_lib.warehouse.layout import lake_of
from platform_lib.warehouse.upkeep import upkeep_lake
from platform_lib.warehouse.write_request import WriteRequest
from tests.aggressive_upkeep import AGGRESSIVE, soon


@pytest.fixture(params=["file", "shared"])
def lake(request, warehouse):
    """Team ``team``'s embedded lake, or team ``crm``'s on the shared catalog."""
    if request.param == "file":
        return lake_of("team", warehouse)
    request.getfixturevalue("shared_lake")  # this process is now crm's role
    return lake_of("crm", warehouse)


def write(warehouse, team: str, rows: int, run: str) -> int:
    """``rows`` rows (enough for Parquet files, not inlined in the catalog) as ``team.orders``."""
    frame = pd.DataFrame({"id": range(rows), "value": [f"{run}-{i}" for i in range(rows)]})
    request = WriteRequest(AssetKey([team, "orders"]), frame, run_id=run)
    stored = WarehouseIOManager(directory=str(warehouse)).store(request, logging.getLogger())
    return stored["tailor/version"].value


def test_a_connection_reading_a_past_version_keeps_it_from_upkeep_until_closed(lake, warehouse):
    first = write(warehouse, lake.name, 1000, "first")
    second = write(warehouse, lake.name, 1100, "second")
    write(warehouse, lake.name, 1200, "third")

    with connect_lakes({"past": lake}, {"past": second}) as connection:
        assert second in lake.pinned_versions()
        report = upkeep_lake(lake, AGGRESSIVE, now=soon())
        assert second in report.kept_pinned and second not in report.expired
        assert first in report.expired and report.files_removed  # the rest is removed
        query = "SELECT count(*), min(value) FROM past.orders"
        assert connection.execute(query).fetchall() == [(1100, "second-0")]

    assert second not in lake.pinned_versions()
    assert second in upkeep_lake(lake, AGGRESSIVE, now=soon()).expired  # unpinned: expirable again


def test_a_connection_reading_the_latest_pins_nothing(lake, warehouse):
    write(warehouse, lake.name, 100, "only")
    with connect_lakes({"now": lake}) as connection:
        assert connection.execute("SELECT count(*) FROM now.orders").fetchall() == [(100,)]
        assert lake.pinned_versions() == set()
