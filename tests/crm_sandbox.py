"""A small team, crm, for the sandbox and sample-mode tests: clients, their orders, and the
two joined; frames are set per test in ``FRAMES``."""

from pathlib import Path

import numpy as np
import pandas as pd
from dagster import AssetKey

from platform_lib import open_warehouse, team_definitions, warehouse_asset
from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.warehouse.file_lake import FileLake
from tests.lake_probe import lake_versions

PROD = RunEnvironment()

FRAMES = {}


@warehouse_asset(sample_by="client_id")
def clients() -> pd.DataFrame:
    """Clients."""
    return FRAMES["clients"]


@warehouse_asset(sample_by="client_id")
def orders() -> pd.DataFrame:
    """Orders, several per client."""
    return FRAMES["orders"]


@warehouse_asset
def client_orders(clients: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Each order with its client's region."""
    return orders.merge(clients, on="client_id", how="left")


def make_frames(clients_count: int = 2000, region: str = "north") -> None:
    rng = np.random.default_rng(7)
    FRAMES["clients"] = pd.DataFrame(
        {"client_id": np.arange(1, clients_count + 1), "region": region}
    )
    FRAMES["orders"] = pd.DataFrame(
        {
            "order_id": np.arange(1, 5 * clients_count + 1),
            "client_id": rng.integers(1, clients_count + 1, 5 * clients_count),
        }
    )


def run(instance, *names, resources=None):
    """Run the crm team (or only ``names``); returns the result."""
    defs = team_definitions(
        "crm", assets=[clients, orders, client_orders], resources=resources or {}
    )
    selection = [AssetKey(["crm", name]) for name in names] or None
    return defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance, asset_selection=selection, raise_on_error=False
    )


def read(warehouse, table: str, user: str = "alice") -> pd.DataFrame:
    """``table`` as production and ``user``'s sandboxes hold it (whatever the environment)."""
    with open_warehouse(warehouse, sandboxes_of=user, environment=PROD) as connection:
        return connection.sql(f"SELECT * FROM {table}").df()


def fingerprint(catalog) -> tuple[list[int], list[tuple[str, int]]]:
    """A lake's history and its data files: equal fingerprints mean nothing was written."""
    files = sorted(Path(FileLake(catalog).data_path).rglob("*"))
    return lake_versions(catalog), [(str(f), f.stat().st_size) for f in files if f.is_file()]
