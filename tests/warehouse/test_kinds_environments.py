"""The lazy kinds (tests/kinds.py) in the platform's environments: a dev run's sandbox with
reads falling through to production, sample mode, versions, restore and the past, other
teams' tables, and DuckDB's default connection left as it was after every run."""

import json

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner
from dagster import AssetIn, AssetKey, asset, execute_job, reconstructable

from platform_lib import team_definitions, warehouse_asset
from platform_lib.cli.main import tailor
from platform_lib.environment.as_of import AS_OF_ENV
from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.warehouse.layout import in_sandbox
from platform_lib.warehouse.restore import restore_table
from platform_lib.warehouse.versions import versions_of
from tests.crm_sandbox import clients, make_frames, orders
from tests.kinds import (
    INPUTS,
    LAZY_INPUTS,
    STOCK,
    attached_lakes,
    lazy_job,
    location_of,
    nothing_left_attached,  # noqa: F401 (every test here checks it)
    read_tables,
    reading,
    returning,
)


def run_only(team: str, assets: list, *names: str, instance=None, **kwargs):
    """Run ``names`` of the team's ``assets`` (all when none) in process."""
    job = team_definitions(team, assets=assets).resolve_implicit_global_asset_job_def()
    selection = [AssetKey([team, name]) for name in names] or None
    return job.execute_in_process(instance=instance, asset_selection=selection, **kwargs)


def copies_of(upstream: str | list[str], kinds=LAZY_INPUTS, **kwargs) -> list:
    """An asset per kind, ``<name>_<kind>``, returning the asset ``upstream`` (its key path
    ends in ``name``) read as that kind."""
    name = upstream[-1] if isinstance(upstream, list) else upstream
    return [
        reading(f"{name}_{kind}", kind, upstream, lambda source: source, **kwargs) for kind in kinds
    ]


def regions(*tables: str) -> dict[str, set[str]]:
    """The regions each ``team.table`` holds (production's, or alice's sandbox's)."""
    return {table: set(frame["region"]) for table, frame in read_tables(*tables).items()}


def test_a_dev_run_reads_the_sandbox_else_production_and_writes_the_sandbox(
    warehouse, instance, use
):
    make_frames(clients_count=20)
    team = [clients, *copies_of("clients")]
    run_only("crm", team, instance=instance)
    use(env="dev")
    copies = [f"clients_{kind}" for kind in LAZY_INPUTS]
    run_only("crm", team, *copies, instance=instance)  # the sandbox has no clients yet
    make_frames(clients_count=20, region="south")
    run_only("crm", team, "clients", instance=instance)
    sandbox = [f"crm__dev_alice.{copy}" for copy in copies]
    assert regions(*sandbox) == dict.fromkeys(sandbox, {"north"})  # production's
    run_only("crm", team, *copies, instance=instance)
    production = [f"crm.{copy}" for copy in copies]  # untouched
    expected = {**dict.fromkeys(sandbox, {"south"}), **dict.fromkeys(production, {"north"})}
    assert regions(*sandbox, *production) == expected  # the sandbox's


def sandboxed(label: str, warehouse):
    location = location_of(warehouse, label)
    return in_sandbox(location, RunEnvironment.current().sandbox(location.team))


def test_a_sampled_lazy_input_keeps_the_keys_a_pandas_read_keeps(warehouse, instance, use):
    """Each kind of input reads the same sample; each kind of output records it alike."""
    make_frames(clients_count=400)
    copies = copies_of("orders", INPUTS, decorator=warehouse_asset, sample_by="client_id")
    team = [clients, orders, *copies]
    run_only("crm", team, "clients", "orders", instance=instance)
    use(env="dev", sample="0.1")
    run_only("crm", team, *[f"orders_{kind}" for kind in INPUTS], instance=instance)
    written = read_tables(*(f"crm__dev_alice.orders_{kind}" for kind in INPUTS))
    pandas = written["crm__dev_alice.orders_pandas"].sort_values("order_id")
    assert 0 < pandas["client_id"].nunique() < 400
    for kind in INPUTS:
        copy = written[f"crm__dev_alice.orders_{kind}"].sort_values("order_id")
        assert copy["order_id"].tolist() == pandas["order_id"].tolist(), kind
        label = f"crm/orders_{kind}"
        (latest,) = versions_of(sandboxed(label, warehouse), label)
        assert (latest.record.sample, latest.record.sample_by) == ("0.1", "client_id"), kind


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("TAILOR_ENV", "prod")  # the command sets it; restored after the test
    return lambda *args: CliRunner().invoke(tailor, list(args), catch_exceptions=False)


def test_a_lazy_assets_table_has_versions_restores_and_is_read_as_of_the_past(
    warehouse, instance, use, monkeypatch, cli
):
    make_frames(clients_count=10)
    team = [clients, *copies_of("clients")]
    north = run_only("crm", team, instance=instance)
    make_frames(clients_count=10, region="south")
    run_only("crm", team, instance=instance)
    for kind in LAZY_INPUTS:
        label = f"crm/clients_{kind}"
        shown = json.loads(cli("table", "history", label, "--json").stdout)
        assert [row["rows"] for row in shown] == [10, 10], kind
        newest, first = versions_of(location_of(warehouse, label), label)
        assert [row["version"] for row in shown] == [newest.version, first.version], kind
        restore_table(location_of(warehouse, label), label, str(first.version), "restore-run")
    restored = [f"crm.clients_{kind}" for kind in LAZY_INPUTS]
    assert regions(*restored) == dict.fromkeys(restored, {"north"})
    use(env="dev")
    monkeypatch.setenv(AS_OF_ENV, north.run_id)
    run_only("crm", team, *[f"clients_{kind}" for kind in LAZY_INPUTS], instance=instance)
    past = [f"crm__dev_alice.clients_{kind}" for kind in LAZY_INPUTS]  # production's as it was
    assert regions(*past) == dict.fromkeys(past, {"north"})


# --- other teams' tables ------------------------------------------------------------------

ORDERS = pd.DataFrame(
    {"order_id": [1, 2, 3], "day": ["mon", "tue", "tue"], "amount": [1.0, 2.0, 3.0]}
)


def shop(frame: pd.DataFrame, kind: str = "relation") -> list:
    """The shop's orders (returned as ``kind``) and prices."""
    return [
        returning("orders", kind, lambda _: frame, warehouse_asset),
        returning(
            "prices", "pandas", lambda _: pd.DataFrame({"day": ["mon", "tue"], "rate": [2.0, 3.0]})
        ),
    ]


def test_lazy_inputs_read_other_teams_declared_columns_and_join_across_lakes(
    warehouse, instance, run_failure
):
    def priced(orders: duckdb.DuckDBPyRelation, prices: duckdb.DuckDBPyRelation):
        """Orders with their day's rate: two inputs of one lake."""
        return duckdb.sql(
            "SELECT order_id, amount * rate AS paid FROM orders JOIN prices USING (day)"
        )

    run_only("shop", [*shop(ORDERS), warehouse_asset(priced)], instance=instance)
    assert sorted(read_tables("shop.priced")["shop.priced"]["paid"]) == [2.0, 6.0, 9.0]

    @asset(ins={"orders": AssetIn(key=["shop", "orders"], metadata={"columns": ["day", "amount"]})})
    def ahead(orders: duckdb.DuckDBPyRelation, goals: duckdb.DuckDBPyRelation):
        """Days whose orders met finance's goal: two inputs of two lakes, in one query."""
        return duckdb.sql(
            "SELECT day, sum(amount) >= any_value(goal) AS met FROM orders JOIN goals USING (day) "
            "GROUP BY day"
        )

    goals = returning("goals", "polars", lambda _: pd.DataFrame({"day": ["tue"], "goal": [4.0]}))
    copies = copies_of(["shop", "orders"], columns=["day", "amount"])
    run_only("finance", [goals, ahead, *copies], instance=instance)
    written = read_tables("finance.ahead", *(f"finance.orders_{kind}" for kind in LAZY_INPUTS))
    assert written.pop("finance.ahead").to_dict("records") == [{"day": "tue", "met": True}]
    for table, copy in written.items():
        assert list(copy.columns) == ["day", "amount"] and len(copy) == 3, table

    # the columns finance reads are kept: a lazy write dropping one is refused
    dropped = run_only(
        "shop", shop(ORDERS.drop(columns=["amount"])), instance=instance, raise_on_error=False
    )
    message = run_failure(dropped)
    assert "Asset shop/orders drops or retypes columns other teams read" in message
    for reader in ("finance/ahead", *(f"finance/orders_{kind}" for kind in LAZY_INPUTS)):
        assert reader in message, reader
    retyped = ORDERS.assign(amount=["1", "2", "3"])
    refused = run_only(
        "shop", shop(retyped, "polars_lazy"), instance=instance, raise_on_error=False
    )
    assert "finance/ahead reads 'amount'" in run_failure(refused)
    assert read_tables("shop.orders")["shop.orders"]["amount"].tolist() == [1.0, 2.0, 3.0]
    run_only("shop", shop(ORDERS.assign(note="x"), "own_connection"), instance=instance)
    assert "note" in read_tables("shop.orders")["shop.orders"].columns  # a column added


# --- DuckDB's default connection after a run ------------------------------------------------


def test_no_run_leaves_a_lake_attached_in_process_or_in_its_step_processes(
    warehouse, disk_instance
):
    make_frames(clients_count=10)
    team = [clients, *copies_of("clients")]
    for _ in range(2):  # two runs in one process: the second finds nothing of the first
        assert run_only("crm", team).success
        assert attached_lakes() == []
    run_only("shop", [STOCK])  # then a lazy copy, in a process of its own
    with execute_job(reconstructable(lazy_job), instance=disk_instance) as result:
        assert result.success
    assert read_tables("shop.stock_relation")["shop.stock_relation"]["sku"].tolist() == ["a", "b"]
