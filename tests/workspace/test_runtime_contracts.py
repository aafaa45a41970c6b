"""The cross-team contract holds at run time, across code locations: after every team of the
workspace has run, a process of merchandising alone (no other team's code loaded) that drops
a column styling reads is refused, naming styling's asset; marked as intended, it writes."""

import subprocess
import sys
import textwrap

PRODUCER_ALONE = textwrap.dedent(
    """
    import logging, sys
    from dagster import AssetKey
    from platform_lib import WarehouseError, WarehouseIOManager, open_warehouse
    from platform_lib.warehouse.write_request import WriteRequest

    warehouse, intended = sys.argv[1], sys.argv[2:]
    with open_warehouse(warehouse) as connection:
        frame = connection.sql("SELECT * FROM merchandising.inventory").df()
    request = WriteRequest(
        AssetKey(["merchandising", "inventory"]),
        frame.drop(columns=["on_hand"]),
        "producer-alone",
        **({"breaking_change_intended": frozenset(intended)} if intended else {}),
    )
    manager = WarehouseIOManager(directory=warehouse, team="merchandising")
    try:
        manager.store(request, logging.getLogger("producer"))
        print("written")
    except WarehouseError as error:
        print(error)
    assert not [name for name in sys.modules if name.startswith("teams.")], "loaded team code"
    """
)


def producer_alone(warehouse, *intended: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PRODUCER_ALONE, str(warehouse), *intended],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_producer_run_alone_refuses_to_drop_a_column_another_team_reads(
    materialize_workspace, warehouse, read_table
):
    materialize_workspace()
    refused = producer_alone(warehouse)
    assert refused.startswith("Asset merchandising/inventory drops or retypes columns other")
    assert "styling/style_recommendations reads 'on_hand'" in refused
    assert "on_hand" in read_table("merchandising.inventory").columns

    assert producer_alone(warehouse, "on_hand") == "written"
    assert "on_hand" not in read_table("merchandising.inventory").columns
