"""Dev runs and sample mode, over a real warehouse and real runs: dev writes land in the
person's sandbox only, reads fall through to production, samples are deterministic and
key-consistent, and a sampled run can never write production."""

import pandas as pd
import pytest
from dagster import AssetKey, DailyPartitionsDefinition

from platform_lib import TableChecks, WarehouseIOManager, team_definitions, warehouse_asset
from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.environment.sampling import Sampling
from platform_lib.environment.sandbox_naming import sandbox_user
from platform_lib.errors import TailorError
from tests.crm_sandbox import FRAMES, clients, fingerprint, make_frames, read, run


def test_a_dev_run_writes_only_the_persons_sandbox(warehouse, instance, use, run_failure):
    make_frames()
    assert run(instance).success
    production = warehouse / "crm.sqlite"
    before = fingerprint(production)
    use(env="dev", user="Alice Smith")
    make_frames(region="south")
    result = run(instance)
    assert result.success, run_failure(result)
    assert fingerprint(production) == before  # not a byte changed
    assert (warehouse / "sandboxes" / "crm__dev_alice_smith.sqlite").exists()
    assert set(read(warehouse, "crm__dev_alice_smith.clients", "alice_smith").region) == {"south"}
    assert set(read(warehouse, "crm.clients").region) == {"north"}


def test_a_dev_run_never_opens_production_to_write(
    warehouse, instance, use, hold_writer_lock, run_failure
):
    """A process holding production's lake alone blocks any writer of it: a dev run goes
    through untouched, the same run in prod cannot write."""
    make_frames()
    assert run(instance).success
    hold_writer_lock(warehouse / "crm.sqlite", 60)
    impatient = {"io_manager": WarehouseIOManager(team="crm", lock_wait_seconds=1)}
    use(env="dev")
    dev = run(instance, resources=impatient)
    assert dev.success, run_failure(dev)
    use(env=None)
    prod = run(instance, resources=impatient)
    assert not prod.success
    assert "Waited 1s for the writer lock of the lake" in run_failure(prod)


def test_reads_fall_through_to_production_until_the_sandbox_has_the_table(warehouse, instance, use):
    make_frames()
    assert run(instance).success
    use(env="dev")
    assert run(instance, "client_orders").success  # only the downstream, in the sandbox
    assert set(read(warehouse, "crm__dev_alice.client_orders").region) == {"north"}
    make_frames(region="south")
    assert run(instance, "clients").success  # the sandbox now has its own clients
    assert run(instance, "client_orders").success
    assert set(read(warehouse, "crm__dev_alice.client_orders").region) == {"south"}
    assert set(read(warehouse, "crm.client_orders").region) == {"north"}


def sampled_client_orders(warehouse, instance, use, sample, seed=None) -> pd.DataFrame:
    use(env="dev", sample=sample, seed=seed)
    assert run(instance, "client_orders").success
    return read(warehouse, "crm__dev_alice.client_orders")


def test_a_sample_is_deterministic_key_consistent_and_nested(warehouse, instance, use):
    make_frames()
    assert run(instance).success
    full = read(warehouse, "crm.client_orders")
    tenth = sampled_client_orders(warehouse, instance, use, "0.1")
    again = sampled_client_orders(warehouse, instance, use, "0.1")
    assert set(tenth.order_id) == set(again.order_id)  # same rows, run after run
    kept = set(tenth.client_id)
    assert 100 <= len(kept) <= 300  # about a tenth of 2000 clients
    # key-consistent: every order of a kept client is there, and each found its client
    assert len(tenth) == full.client_id.isin(kept).sum()
    assert tenth.region.notna().all()
    twentieth = sampled_client_orders(warehouse, instance, use, "0.05")
    assert set(twentieth.client_id) < kept  # a smaller fraction keeps a subset
    reseeded = sampled_client_orders(warehouse, instance, use, "0.1", seed="another")
    assert set(reseeded.client_id) != kept


def test_a_per_asset_fraction_reads_that_input_whole(warehouse, instance, use):
    make_frames()
    assert run(instance).success
    use(env="dev", sample="0.1,crm/clients=1")
    assert run(instance, "client_orders").success
    joined = read(warehouse, "crm__dev_alice.client_orders")
    assert joined.region.notna().all() and 700 <= len(joined) <= 1300  # orders sampled only


def test_a_sampled_run_in_prod_is_refused_and_changes_nothing(warehouse, instance, use):
    make_frames()
    assert run(instance).success
    before = fingerprint(warehouse / "crm.sqlite")
    use(sample="0.01")
    result = run(instance)
    assert not result.success
    assert "TAILOR_SAMPLE=0.01 in prod" in _run_error(result)
    assert fingerprint(warehouse / "crm.sqlite") == before


def _run_error(result) -> str:
    """Every error message of a failed run (resource set-up failures are not step errors)."""
    return " ".join(
        str(getattr(event.event_specific_data, "error", "") or event.message)
        for event in result.all_events
        if event.is_failure
    )


def test_runs_and_materializations_show_environment_and_sample(warehouse, instance, use):
    make_frames()
    prod = run(instance, "clients")
    assert {"tailor/env": "prod", "tailor/sample": "full"}.items() <= (
        instance.get_run_by_id(prod.run_id).tags.items()
    )
    use(env="dev", sample="0.1")
    dev = run(instance, "clients")
    tags = instance.get_run_by_id(dev.run_id).tags
    assert {"tailor/env": "dev", "tailor/sample": "0.1", "tailor/user": "alice"}.items() <= (
        tags.items()
    )
    event = instance.get_latest_materialization_event(AssetKey(["crm", "clients"]))
    metadata = event.asset_materialization.metadata
    assert metadata["tailor/env"].value == "dev"
    assert metadata["tailor/sample"].value == "0.1"
    assert metadata["dagster/table_name"].value == "crm__dev_alice.main.clients"


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"TAILOR_ENV": "staging"}, "TAILOR_ENV='staging' is not an environment"),
        ({"TAILOR_ENV": "dev", "TAILOR_SAMPLE": "2"}, "'2' is not a fraction in (0, 1]"),
        ({"TAILOR_ENV": "dev", "TAILOR_SAMPLE": "a/b=x"}, "'a/b=x' is not a fraction"),
        ({"TAILOR_ENV": "dev", "TAILOR_SAMPLE": "0.1,0.2"}, "gives the default fraction twice"),
        ({"TAILOR_SAMPLE": "0.5"}, "TAILOR_SAMPLE=0.5 in prod"),
    ],
)
def test_bad_settings_are_refused_with_what_to_do(monkeypatch, variables, message):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(TailorError, match=message.replace("(", r"\(").replace(")", r"\)")):
        RunEnvironment.current()


def test_sampling_settings_read_as_written():
    sampling = Sampling.parse("0.01, merchandising/inventory=0.1, client_insights/raw=1")
    assert sampling.fraction_for("styling/any") == 0.01
    assert sampling.fraction_for("merchandising/inventory") == 0.1
    assert sampling.fraction_for("client_insights/raw") is None  # 1 reads it whole
    assert sampling.describe() == "0.01, client_insights/raw=1, merchandising/inventory=0.1"
    assert Sampling.parse("").describe() == "full" and not Sampling.parse("1").active
    assert sandbox_user("Dr. Ada Lovelace") == "dr_ada_lovelace"


@warehouse_asset(sample_by="client_id", table_checks=TableChecks(max_change=3.0))
def accounts(clients: pd.DataFrame) -> pd.DataFrame:
    """One account per client; its row count may not jump more than 3x between runs."""
    return clients


def test_a_table_made_from_a_sample_is_never_read_as_more_than_that(warehouse, instance, use):
    make_frames()
    assert run(instance).success
    use(env="dev", sample="0.1")
    assert run(instance).success  # clients, orders and client_orders: all from the sample
    sampled = read(warehouse, "crm__dev_alice.client_orders")
    use(env="dev")  # no sample now: reading the sampled sandbox tables whole would lie
    result = run(instance, "client_orders")
    assert not result.success
    assert "holds crm/clients computed from a sample (0.1" in _run_error(result)
    pd.testing.assert_frame_equal(read(warehouse, "crm__dev_alice.client_orders"), sampled)


def test_row_count_change_compares_production_with_production_only(warehouse, instance, use):
    def run_accounts(*names):
        defs = team_definitions("crm", assets=[clients, accounts])
        selection = [AssetKey(["crm", name]) for name in names] or None
        return defs.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=instance, asset_selection=selection, raise_on_error=False
        )

    make_frames()
    assert run_accounts().success  # production: 2000 accounts
    use(env="dev", sample="0.1")
    assert run_accounts("accounts").success  # about 200, compared with no production count
    use(env=None)
    make_frames(clients_count=500)
    result = run_accounts()  # 500 after 2000 in production: more than a 3x drop
    assert not result.success
    assert "row_count_change" in _run_error(result)


DAYS = DailyPartitionsDefinition(start_date="2026-01-01")


@warehouse_asset(partitions_def=DAYS, metadata={"partition_expr": "day"})
def events(context) -> pd.DataFrame:
    """One event per day."""
    return pd.DataFrame({"day": [pd.Timestamp(context.partition_key)], "value": [FRAMES["v"]]})


@warehouse_asset(partitions_def=DAYS, metadata={"partition_expr": "day"})
def daily(events: pd.DataFrame) -> pd.DataFrame:
    """The day's events, summed."""
    return events.groupby("day", as_index=False)["value"].sum()


def test_partitions_the_sandbox_lacks_are_read_from_production(warehouse, instance, use):
    job = team_definitions("lab", assets=[events, daily]).resolve_implicit_global_asset_job_def()

    def materialize(day, *names):
        selection = [AssetKey(["lab", name]) for name in names] or None
        result = job.execute_in_process(
            instance=instance, partition_key=day, asset_selection=selection
        )
        assert result.success

    FRAMES["v"] = 1
    for day in ("2026-01-01", "2026-01-02"):
        materialize(day)
    use(env="dev")
    FRAMES["v"] = 5
    materialize("2026-01-01", "events")  # the sandbox holds day 1 only
    materialize("2026-01-02", "daily")  # day 2 falls through to production
    materialize("2026-01-01", "daily")  # day 1 from the sandbox
    sandbox_daily = read(warehouse, "lab__dev_alice.daily").sort_values("day")
    assert list(sandbox_daily.value) == [5, 1]


def test_a_sample_key_the_frame_lacks_is_refused_when_written(warehouse, instance, use):
    @warehouse_asset(name="clients", sample_by="customer_no")
    def misnamed() -> pd.DataFrame:
        """Clients, with a misspelt sample key."""
        return FRAMES["clients"]

    make_frames()
    result = team_definitions("crm", assets=[misnamed]).resolve_implicit_global_asset_job_def()
    failed = result.execute_in_process(instance=instance, raise_on_error=False)
    assert "declares sample_by='customer_no', but its frame has no such column" in (
        _run_error(failed)
    )


def test_a_key_keeps_its_rows_whatever_its_type_or_spelling():
    import duckdb

    condition, parameters = Sampling.parse("0.3").predicate("k", 0.3)
    kept = {}
    with duckdb.connect() as connection:
        for kind, values in {
            "BIGINT": "range(1, 400)",
            "DOUBLE": "(SELECT range::DOUBLE FROM range(1, 400))",
            "VARCHAR": "(SELECT lpad(range::VARCHAR, 4, '0') FROM range(1, 400))",
        }.items():
            rows = connection.execute(
                f"SELECT CAST(k AS BIGINT) FROM (SELECT * FROM {values}) t(k) WHERE {condition}",
                parameters,
            ).fetchall()
            kept[kind] = {row[0] for row in rows}
    assert 80 < len(kept["BIGINT"]) < 160
    assert kept["BIGINT"] == kept["DOUBLE"] == kept["VARCHAR"]
