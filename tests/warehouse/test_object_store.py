"""The shared lake's data files on an object store (``TAILOR_LAKE_DATA=s3://bucket/lake``).

moto's S3 server on 127.0.0.1 is the stand-in for S3 (tests/s3_server.py; no real object
store can run here), with its authentication on; the catalog is the session's throwaway
PostgreSQL. Real Dagster runs write through DuckDB's httpfs extension, credentials from the
environment only; the bucket is listed with boto3 against the same endpoint.
"""

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
from dagster import AssetIn, asset

from platform_lib.errors import WarehouseError
from platform_lib.settings import READER_ROLE, lake_role
from platform_lib.warehouse.connection import warehouse_instance
from platform_lib.warehouse.layout import lake_of
from platform_lib.warehouse.object_store import ObjectStore
from platform_lib.warehouse.restore import restore_table
from platform_lib.warehouse.shared_lake import LakeServer
from platform_lib.warehouse.upkeep import LakeUpkeep, upkeep_lake
from platform_lib.warehouse.versions import asset_table, versions_of
from tests.conftest import unused_port
from tests.s3_server import start_s3_server


@asset
def clients() -> pd.DataFrame:
    """A thousand clients: more rows than DuckLake inlines in its catalog, so a file."""
    return pd.DataFrame({"client_id": range(1000), "region": ["west", "east"] * 500})


@asset(name="clients")
def few_clients() -> pd.DataFrame:
    """Five hundred clients: a later version of crm/clients."""
    return pd.DataFrame({"client_id": range(500), "region": ["north"] * 500})


@asset(ins={"clients": AssetIn(key=["crm", "clients"])})
def regions(clients: pd.DataFrame) -> pd.DataFrame:
    """Clients per region, from crm's table."""
    return clients.groupby("region", as_index=False).size()


READ = """
import sys
from platform_lib import open_warehouse
from platform_lib.environment.run_environment import RunEnvironment
with open_warehouse(environment=RunEnvironment()) as connection:
    print(connection.sql(sys.argv[1]).fetchall())
"""


@pytest.fixture(scope="module")
def s3():
    server = start_s3_server(unused_port())
    yield server
    server.stop()


@pytest.fixture
def s3_lake(shared_lake, s3, monkeypatch):
    """The shared lake with its data in a new bucket of the S3 stand-in."""
    bucket = f"tailor-{uuid.uuid4().hex[:12]}"
    s3.client().create_bucket(Bucket=bucket)
    for name in ("AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    url = f"s3://{bucket}/lake"

    def become(role: str, **changed: str) -> dict[str, str]:
        return shared_lake.become(role, **{"TAILOR_LAKE_DATA": url, **changed})

    become(lake_role("crm"))
    return SimpleNamespace(
        bucket=bucket, url=url, become=become, local=shared_lake.data,
        keys=lambda prefix="": s3.keys(bucket, prefix), server=shared_lake.server,
    )  # fmt: skip


def read_elsewhere(s3_lake, tmp_path, query: str) -> str:
    """What a notebook on another host reads as the reader role: its own process and working
    folder, the lake's settings and the store's credentials from its environment only."""
    elsewhere = tmp_path / "other-host"
    elsewhere.mkdir()
    env = {**os.environ, **s3_lake.become(READER_ROLE), "HOME": str(elsewhere)}
    return subprocess.run(
        [sys.executable, "-c", READ, query], cwd=elsewhere, env=env, capture_output=True,
        text=True, check=True,
    ).stdout.strip()  # fmt: skip


def test_a_team_writes_its_files_to_the_bucket_and_another_host_reads_them(
    s3_lake, run_team, warehouse, tmp_path
):
    assert run_team("crm", [clients]).success
    crm_files = s3_lake.keys("lake/crm/")
    assert crm_files and all(key.endswith(".parquet") for key in crm_files)
    assert not s3_lake.local.exists()  # nothing on this host's disk
    assert not warehouse.exists() or not list(warehouse.rglob("*.parquet"))

    s3_lake.become(lake_role("shop"))
    assert run_team("shop", [regions]).success
    query = "SELECT region, size FROM shop.regions ORDER BY region"
    assert read_elsewhere(s3_lake, tmp_path, query) == "[('east', 500), ('west', 500)]"


def test_history_restore_and_upkeep_remove_files_from_the_bucket(s3_lake, run_team, warehouse):
    run_team("crm", [clients])
    run_team("crm", [few_clients])
    location = asset_table("crm/clients", warehouse)
    latest, first = (v.version for v in versions_of(location, "crm/clients"))
    assert restore_table(location, "crm/clients", str(first), "a-run").version > latest
    before = s3_lake.keys("lake/crm/")

    later = datetime.now(UTC) + timedelta(days=1)
    keep_current = LakeUpkeep(retention_days=0, keep_versions=1, grace_hours=0)
    report = upkeep_lake(lake_of("crm", warehouse), keep_current, now=later)

    removed = {path.removeprefix(f"s3://{s3_lake.bucket}/") for path in report.files_removed}
    assert removed and removed <= set(before)
    assert not removed & set(s3_lake.keys("lake/crm/"))  # gone from the bucket
    assert report.bytes_removed == sum(before[key] for key in removed)
    current = versions_of(location, "crm/clients")[0]
    assert current.rows == 1000


@pytest.mark.parametrize(
    "change, says",
    [
        ({"AWS_SECRET_ACCESS_KEY": "wrong"}, "SignatureDoesNotMatch"),
        ({"TAILOR_LAKE_DATA": "s3://tailor-no-such-bucket/lake"}, "NoSuchBucket"),
    ],
    ids=["wrong_secret", "missing_bucket"],
)
def test_a_store_that_refuses_is_named_with_what_to_fix_and_nothing_is_written(
    s3_lake, run_team, run_failure, warehouse, change, says
):
    run_team("crm", [clients])
    location = asset_table("crm/clients", warehouse)
    history, files = versions_of(location, "crm/clients"), s3_lake.keys()

    s3_lake.become(lake_role("crm"), **change)
    message = run_failure(run_team("crm", [few_clients], raise_on_error=False))
    url = change.get("TAILOR_LAKE_DATA", s3_lake.url)
    said = f"The object store holding the lake's data files, {url}/, refused a request for "
    assert f"{said}team crm's lake" in message
    assert says in message and "Nothing was written" in message
    assert "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY" in message

    s3_lake.become(lake_role("crm"))
    assert versions_of(location, "crm/clients") == history
    assert s3_lake.keys() == files


def test_a_read_the_store_refuses_is_named_with_what_to_fix(s3_lake, run_team, run_failure):
    run_team("crm", [clients])
    s3_lake.become(lake_role("shop"), AWS_SECRET_ACCESS_KEY="wrong")
    # crm's write read its table back (the preview) and DuckDB keeps the files it read in its
    # process-wide cache; another host's run, as this one plays, has none
    instance = warehouse_instance()
    instance.execute("SET enable_external_file_cache = false")
    try:
        message = run_failure(run_team("shop", [regions], raise_on_error=False))
    finally:
        instance.execute("RESET enable_external_file_cache")
    said = f"The object store holding the lake's data files, {s3_lake.url}/, refused a request"
    assert f"{said} for team crm's lake" in message and "SignatureDoesNotMatch" in message
    assert "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY" in message


def test_a_missing_credential_is_named_before_anything_is_tried(
    s3_lake, run_team, run_failure, warehouse
):
    s3_lake.become(lake_role("crm"), AWS_ACCESS_KEY_ID="")
    message = run_failure(run_team("crm", [clients], raise_on_error=False))
    assert f"The lake's data files are at {s3_lake.url}/, but AWS_ACCESS_KEY_ID is not set" in (
        message
    )
    assert s3_lake.keys() == {}
    assert not lake_of("crm", warehouse).exists()  # not even its catalog was made


@pytest.mark.parametrize(
    "url, env, secret",
    [
        ("gs://b/lake", {"GCS_HMAC_KEY_ID": "k", "GCS_HMAC_SECRET": "s"}, ("gcs", "config")),
        ("az://c/lake", {"AZURE_STORAGE_CONNECTION_STRING": "AccountName=a;AccountKey=eA=="},
         ("azure", "config")),
        ("abfss://c/lake", {"AZURE_STORAGE_ACCOUNT": "a"}, ("azure", "credential_chain")),
    ],
    ids=["gcs", "azure_connection_string", "adls_credential_chain"],
)  # fmt: skip
def test_gcs_and_azure_secrets_are_made_from_their_variables_scoped_to_the_data(url, env, secret):
    """Not exercised against a store (none runs here): the secret DuckDB would use."""
    connection = duckdb.connect()
    ObjectStore.of(url).prepare(connection, env)
    made = connection.sql("SELECT type, provider, scope FROM duckdb_secrets()").fetchall()
    assert made == [(*secret, [f"{url}/"])]
    with pytest.raises(WarehouseError, match=rf"data files are at {url}/, but \w+ .*is not set"):
        ObjectStore.of(url).prepare(connection, {})


def test_a_data_url_no_store_serves_is_refused_naming_the_schemes(lake_server, tmp_path):
    env = lake_server.env(lake_role("crm"), "s3a://bucket/lake")
    with pytest.raises(WarehouseError, match=r"TAILOR_LAKE_DATA is s3a://bucket/lake, but s3a:"):
        LakeServer.from_env(env)
