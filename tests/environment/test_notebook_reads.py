"""open_warehouse reads what a run of the same process reads: in dev your sandbox's table
when it holds one, else production's, and in sample mode only the sample."""

import pandas as pd
from dagster import AssetIn, asset

from platform_lib import open_warehouse, team_definitions
from tests.crm_sandbox import FRAMES, make_frames, run

LOADED = {}


@asset(ins={"clients": AssetIn(key=["crm", "clients"]), "orders": AssetIn(key=["crm", "orders"])})
def client_counts(clients: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """What the IO manager loaded for a run's inputs, kept for the test to compare."""
    LOADED.update(clients=clients, orders=orders)
    return pd.DataFrame({"clients": [len(clients)], "orders": [len(orders)]})


def loaded_in_a_run(instance) -> dict[str, pd.DataFrame]:
    defs = team_definitions("styling", assets=[client_counts])
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance)
    assert result.success
    return dict(LOADED)


def assert_same_rows(clients, orders, loaded) -> None:
    for frame, key, name in ((clients, "client_id", "clients"), (orders, "order_id", "orders")):
        pd.testing.assert_frame_equal(
            frame.sort_values(key).reset_index(drop=True),
            loaded[name].sort_values(key).reset_index(drop=True),
        )


def read(connection, table: str) -> pd.DataFrame:
    return connection.sql(f"SELECT * FROM {table}").df()


def test_in_dev_team_asset_reads_the_sandbox_else_production_as_a_run_does(
    warehouse, instance, use
):
    make_frames()
    assert run(instance).success  # production: north clients and their orders
    use(env="dev")
    FRAMES["clients"] = FRAMES["clients"].assign(region="south", tier="gold")
    assert run(instance, "clients").success  # Alice's sandbox holds clients, not orders

    with open_warehouse() as notebook:  # TAILOR_ENV=dev, TAILOR_USER=alice, as the run
        clients, orders = read(notebook, "crm.clients"), read(notebook, "crm.orders")
        assert set(clients.region) == {"south"} and set(clients.tier) == {"gold"}
        production = read(notebook, "crm__prod.clients")
        sandbox = read(notebook, "crm__dev_alice.clients")
        said = dict(
            notebook.execute(
                "SELECT schema_name || '.' || view_name, comment FROM duckdb_views() "
                "WHERE NOT internal"
            ).fetchall()
        )
    assert set(production.region) == {"north"} and set(sandbox.region) == {"south"}
    assert len(orders) == 10_000  # not in the sandbox: production's
    assert said == {
        "crm.clients": "your sandbox (crm__dev_alice)",
        "crm.client_orders": "production (crm__prod)",
        "crm.orders": "production (crm__prod)",
    }
    assert_same_rows(clients, orders, loaded_in_a_run(instance))

    use(env="dev", sample="0.1")
    with open_warehouse() as notebook:
        clients, orders = read(notebook, "crm.clients"), read(notebook, "crm.orders")
    assert 0 < len(clients) < 2000 and set(clients.region) == {"south"}
    assert set(orders.client_id) <= set(clients.client_id)  # the same clients kept in both
    assert_same_rows(clients, orders, loaded_in_a_run(instance))  # the rows a sampled run reads

    use(env=None)  # prod: production, whole, as team.asset
    with open_warehouse() as notebook:
        assert set(read(notebook, "crm.clients").region) == {"north"}
        assert len(read(notebook, "crm.orders")) == 10_000
    use(env="dev")
    FRAMES["clients"] = FRAMES["clients"].assign(tier="silver")
    assert run(instance, "clients").success  # the notebook's connection held nothing open
