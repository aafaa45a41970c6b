"""Reading the past, over a real lake on disk and real runs: ``open_warehouse(as_of=...)`` as
of a run id, a time or one team's version, and a dev run with ``TAILOR_AS_OF`` reading
production's inputs as they were then while writing its sandbox."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from dagster import AssetKey

from platform_lib import TableChecks, open_warehouse, team_definitions, warehouse_asset
from platform_lib.alerts.origin import AlertOrigin
from platform_lib.environment.as_of import AS_OF_ENV, AS_OF_TAG
from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.errors import TailorError, WarehouseError
from platform_lib.settings import REPO_ROOT
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake
from platform_lib.warehouse.metadata import VERSION
from tests.cli.test_warehouse_data import shown, tailor
from tests.conftest import unused_port
from tests.crm_sandbox import FRAMES, PROD, clients, make_frames, read, run

UNKNOWN_RUN = "0badc0de-0000-4000-8000-000000000000"


def regions(connection, table: str) -> set[str]:
    return set(connection.sql(f"SELECT region FROM {table}").df().region)


def written_version(result, asset: str) -> int:
    """The version of the crm lake the run's write of ``asset`` made (its materialization's
    ``tailor/version``)."""
    (materialization,) = [
        event.materialization
        for event in result.get_asset_materialization_events()
        if event.materialization.asset_key == AssetKey(["crm", asset])
    ]
    return materialization.metadata[VERSION].value


def last_version(result) -> int:
    """The crm lake's version after the run's last write."""
    return max(written_version(result, asset) for asset in ("clients", "orders", "client_orders"))


def refused(as_of, match: str, error: type[Exception] = WarehouseError) -> None:
    """Opening the warehouse as of ``as_of`` (in prod) fails with ``match``."""
    with pytest.raises(error, match=match), open_warehouse(environment=PROD, as_of=as_of):
        pass


def moment() -> datetime:
    """Now, between two writes whose snapshot times are apart."""
    time.sleep(0.05)
    now = datetime.now(UTC)
    time.sleep(0.05)
    return now


@pytest.fixture
def north_then_south(warehouse, instance, use):
    """crm written twice in production: first every region north, then south; returns both
    runs and a time between them."""
    use(env=None)
    make_frames(region="north")
    north = run(instance)
    assert north.success
    between = moment()
    make_frames(region="south")
    south = run(instance)
    assert south.success
    return north, between, south


def test_a_notebook_as_of_a_run_reads_its_tables_as_that_run_left_them(north_then_south):
    north, _, _ = north_then_south
    with open_warehouse(environment=PROD, as_of=north.run_id) as notebook:
        assert regions(notebook, "crm.clients") == {"north"}
        assert regions(notebook, "crm.client_orders") == {"north"}  # its output too
        assert len(notebook.sql("SELECT * FROM crm.orders").df()) == 10_000
    with open_warehouse(environment=PROD) as notebook:
        assert regions(notebook, "crm.clients") == {"south"}


def test_a_notebook_as_of_a_time_reads_every_table_as_it_was_then(north_then_south):
    _, between, _ = north_then_south
    for as_of in (between, between.isoformat(), between.astimezone().replace(tzinfo=None)):
        with open_warehouse(environment=PROD, as_of=as_of) as notebook:
            assert regions(notebook, "crm.clients") == {"north"}, as_of
    with open_warehouse(environment=PROD, as_of=datetime.now(UTC)) as notebook:
        assert regions(notebook, "crm.clients") == {"south"}


def test_a_notebook_as_of_a_teams_version_reads_that_version(north_then_south):
    north, _, south = north_then_south
    version = written_version(north, "clients")
    assert written_version(south, "clients") > version
    for as_of in (f"crm@{version}", {"crm": version}):
        with open_warehouse(environment=PROD, as_of=as_of) as notebook:
            assert regions(notebook, "crm.clients") == {"north"}
    for ambiguous in (version, str(version)):
        refused(ambiguous, "is ambiguous: a version number belongs to one team's lake", TailorError)


def test_in_dev_the_views_read_the_sample_and_the_records_of_that_moment(
    north_then_south, instance, use
):
    """The sample a dev notebook (and run) reads follows the table's record as of then: when
    ``crm/clients`` declared ``sample_by=client_id``, not its latest write, which declares
    none."""
    north, _, _ = north_then_south

    @warehouse_asset(name="clients")
    def unsampled_clients() -> pd.DataFrame:
        """Clients, with no sample key."""
        return FRAMES["clients"]

    defs = team_definitions("crm", assets=[unsampled_clients])
    write_unsampled = defs.resolve_implicit_global_asset_job_def().execute_in_process
    assert write_unsampled(instance=instance).success
    use(env="dev", sample="0.1")
    with open_warehouse() as notebook:  # now: whole, its latest record declares no key
        assert len(notebook.sql("SELECT * FROM crm.clients").df()) == 2000
    with open_warehouse(as_of=north.run_id) as notebook:
        clients = notebook.sql("SELECT * FROM crm.clients").df()
        (said,) = notebook.execute(
            "SELECT comment FROM duckdb_views() WHERE view_name = 'clients'"
        ).fetchone()
    assert 0 < len(clients) < 2000 and set(clients.region) == {"north"}
    expected = f"as of run {north.run_id}, version {last_version(north)}, a 0.1 sample"
    assert said == f"production (crm__prod) {expected} by client_id"


def test_a_dev_run_as_of_a_past_run_reads_its_inputs_and_writes_the_sandbox(
    north_then_south, warehouse, instance, use, monkeypatch
):
    north, _, _ = north_then_south
    use(env="dev")
    monkeypatch.setenv(AS_OF_ENV, north.run_id)
    replay = run(instance, "client_orders")
    assert replay.success
    assert set(read(warehouse, "crm__dev_alice.client_orders").region) == {"north"}
    assert set(read(warehouse, "crm.client_orders").region) == {"south"}  # production untouched
    tags = instance.get_run_by_id(replay.run_id).tags
    assert tags[AS_OF_TAG] == north.run_id
    assert f"as of {north.run_id}" in AlertOrigin.of_run(tags).describe()
    (materialization,) = [e.materialization for e in replay.get_asset_materialization_events()]
    assert materialization.metadata[AS_OF_TAG].value == north.run_id
    logged = [
        event.message
        for event in instance.all_logs(replay.run_id)
        if "Read crm/clients" in event.message
    ]
    assert f"as of run {north.run_id} (version {last_version(north)})" in logged[0]

    # a sandbox table is your current work: preferred over production's past, read as it is
    make_frames(region="west")
    assert run(instance, "clients").success
    assert run(instance, "client_orders").success
    assert set(read(warehouse, "crm__dev_alice.client_orders").region) == {"west"}


def test_a_production_run_refuses_to_read_the_past(north_then_south, instance, monkeypatch):
    north, _, _ = north_then_south
    monkeypatch.setenv(AS_OF_ENV, north.run_id)
    with pytest.raises(TailorError, match="TAILOR_AS_OF=.* in prod: a production run always"):
        RunEnvironment.current()
    make_frames(region="east")
    refused = run(instance, "clients")
    assert not refused.success
    monkeypatch.delenv(AS_OF_ENV)
    with open_warehouse(environment=PROD) as notebook:
        assert regions(notebook, "crm.clients") == {"south"}  # nothing written


def test_a_moment_the_warehouse_cannot_read_is_refused_with_where_to_look(
    warehouse, instance, use, monkeypatch, run_failure
):
    before_the_lake = moment()
    make_frames(region="north")
    assert run(instance, "clients").success
    clients_only = moment()
    assert run(instance, "orders").success
    refused(before_the_lake, "no team's lake existed yet then")
    refused(UNKNOWN_RUN, f"written by run {UNKNOWN_RUN}.*Runs page")
    refused(datetime.now(UTC) + timedelta(hours=1), "in the future")

    use(env="dev")
    monkeypatch.setenv(AS_OF_ENV, before_the_lake.isoformat())
    early = run(instance, "client_orders")
    assert "crm/clients as of" in run_failure(early)
    assert "team 'crm''s lake did not exist yet then" in run_failure(early)
    monkeypatch.setenv(AS_OF_ENV, clients_only.isoformat())
    missing = run(instance, "client_orders")
    assert "Asset crm/orders had no table in production as of TAILOR_AS_OF" in run_failure(missing)


def test_an_expired_version_is_refused_not_read_as_another(north_then_south, warehouse):
    north, between, south = north_then_south
    expired = written_version(north, "clients")
    with lake_connection(FileLake(warehouse / "crm.sqlite"), read_only=False) as lake:
        lake.execute(
            "CALL ducklake_expire_snapshots(current_database(), versions => "
            f"[{', '.join(map(str, range(expired, written_version(south, 'clients'))))}])"
        )
    refused(f"crm@{expired}", f"no version {expired}: it was expired by upkeep")
    refused(between, "no longer keeps its versions between")


def test_tailor_sql_reads_the_past_in_dev_and_refuses_it_in_prod(north_then_south, warehouse):
    north, _, _ = north_then_south
    query = ("sql", "SELECT DISTINCT region FROM crm.clients", "--json")
    past = tailor(warehouse, *query, TAILOR_ENV="dev", TAILOR_AS_OF=north.run_id)
    assert shown(past) == [{"region": "north"}]
    refused_in_prod = tailor(warehouse, *query, TAILOR_AS_OF=north.run_id)
    assert refused_in_prod.returncode != 0
    assert "in prod: a production run always reads current inputs" in refused_in_prod.stderr


@warehouse_asset(table_checks=TableChecks(max_change=3.0))
def accounts(clients: pd.DataFrame) -> pd.DataFrame:
    """One account per client; its row count may not jump more than 3x between runs."""
    return clients


def test_a_run_of_the_past_is_never_the_row_count_baseline_of_current_runs(
    warehouse, instance, use, monkeypatch, run_failure
):
    def run_accounts(*names):
        defs = team_definitions("crm", assets=[clients, accounts])
        selection = [AssetKey(["crm", name]) for name in names] or None
        return defs.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=instance, asset_selection=selection, raise_on_error=False
        )

    make_frames(clients_count=2000)
    thousands = run_accounts("clients")
    make_frames(clients_count=500)
    assert run_accounts("clients").success  # production's clients: 500 now
    use(env="dev")
    assert run_accounts("accounts").success  # 500
    monkeypatch.setenv(AS_OF_ENV, thousands.run_id)
    assert run_accounts("accounts").success  # 2000, read as of then: no baseline of its own
    monkeypatch.delenv(AS_OF_ENV)
    current = run_accounts("accounts")  # 500 again: compared with the 500, not the 2000
    assert current.success, run_failure(current)


def start_dev_banner(**variables: str) -> subprocess.CompletedProcess:
    """make dev's launcher, printing its banner and then becoming `true`."""
    script = REPO_ROOT / "scripts" / "start_dev.py"
    arguments = ["--host", "127.0.0.1", "--port", str(unused_port()), "--banner", "--", "true"]
    return subprocess.run(
        [sys.executable, str(script), *arguments],
        env={**os.environ, "TAILOR_ENV": "", "TAILOR_SAMPLE": "", **variables},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_dev_says_it_reads_production_as_of_then_and_refuses_it_in_prod():
    past = start_dev_banner(TAILOR_ENV="dev", TAILOR_AS_OF="crm@12")
    assert past.returncode == 0, past.stderr
    assert "(production is only read as of version 12 of crm)" in past.stdout
    refused_in_prod = start_dev_banner(TAILOR_AS_OF="crm@12")
    assert refused_in_prod.returncode == 1
    assert "TAILOR_AS_OF=crm@12 in prod: a production run always" in refused_in_prod.stderr
