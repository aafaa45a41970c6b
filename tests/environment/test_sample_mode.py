"""Sample mode on the real teams: each ingest reads its sample of the landing file (CSV and
Parquet) with the full read's types, and every keyed table of the sampled dev run equals its
production table restricted to the same sample: key-consistent from landing to the last
table. Row-count checks compare the sample with samples, not with production."""

import logging
from dataclasses import replace

import pandas as pd
import pytest
from dagster import AssetKey

from platform_lib.environment.sampling import Sampling
from platform_lib.errors import LandingFileError
from platform_lib.landing.sample import LandingSample, sampled_copy
from platform_lib.sandbox.diff import diff_table

SAME_ON_THE_SAMPLE = {
    "merchandising": ["raw_inventory", "raw_purchase_orders", "inventory"],
    "client_insights": ["raw_clients", "raw_orders", "client_profiles"],
}


@pytest.mark.parametrize("team", sorted(SAME_ON_THE_SAMPLE))
def test_a_sampled_dev_run_equals_production_on_the_same_sample(
    team, workspace, warehouse, instance, monkeypatch, run_failure
):
    job = workspace[team].resolve_implicit_global_asset_job_def()
    assert job.execute_in_process(instance=instance).success
    for name, value in {"TAILOR_ENV": "dev", "TAILOR_SAMPLE": "0.1", "TAILOR_USER": "ada"}.items():
        monkeypatch.setenv(name, value)
    # the same instance: the ingests' max_change=3 would fail against production's counts
    sampled = job.execute_in_process(instance=instance, raise_on_error=False)
    assert sampled.success, run_failure(sampled)
    for asset in SAME_ON_THE_SAMPLE[team]:
        diff = diff_table(warehouse, "ada", f"{team}/{asset}")
        assert diff.sample.startswith("0.1 by "), asset
        assert 0 < diff.sandbox_rows == diff.production_rows, asset
        assert not (diff.added_columns or diff.removed_columns or diff.retyped_columns), asset
        changes = (diff.changed_keys, diff.keys_only_in_sandbox, diff.keys_only_in_production)
        assert changes == (0, 0, 0), asset


def test_a_landing_sample_is_kept_until_the_file_changes(warehouse, tmp_path, run_landing_script):
    landing = tmp_path / "landing"
    run_landing_script(landing)
    clients = landing / "clients.csv"
    sample = LandingSample("client_insights/raw_clients", "client_id", 0.1, Sampling.parse("0.1"))
    first = sampled_copy(clients, sample)
    written = first.stat().st_mtime_ns
    assert sampled_copy(clients, sample) == first
    assert first.stat().st_mtime_ns == written  # reused, not rewritten
    other_fraction = sampled_copy(clients, replace(sample, fraction=0.2))
    assert first.exists() and other_fraction.exists()  # each fraction keeps its own
    pd.read_csv(clients).head(10).to_csv(clients, index=False)  # a new export lands
    second = sampled_copy(clients, sample)
    assert second != first and not first.exists() and not other_fraction.exists()
    assert len(pd.read_csv(second)) <= 10


def test_a_sample_key_missing_from_the_landing_file_names_file_key_and_asset(
    warehouse, landing_zone
):
    sample = LandingSample("crm/raw", "customer_no", 0.1, Sampling.parse("0.1"))
    with pytest.raises(LandingFileError, match=r"clients.csv cannot be sampled by 'customer_no'"):
        sampled_copy(landing_zone / "clients.csv", sample)
    assert not list((warehouse / "sandboxes" / "landing_samples").iterdir())  # nothing half-made


def warnings_of(instance, result) -> list[str]:
    return [
        entry.user_message
        for entry in instance.all_logs(result.run_id)
        if entry.level == logging.WARNING
    ]


def test_a_sample_keeping_too_few_keys_warns_naming_input_key_and_counts(
    workspace, warehouse, instance, use, run_failure
):
    merchandising = workspace["merchandising"].resolve_implicit_global_asset_job_def()
    assert merchandising.execute_in_process(instance=instance).success
    use(env="dev", sample="0.01")  # on the shipped landing zone: 1 of its 150 SKUs
    sampled = merchandising.execute_in_process(instance=instance, raise_on_error=False)
    assert sampled.success, run_failure(sampled)
    warned = "\n".join(warnings_of(instance, sampled))
    assert (
        "The 0.01 sample of merchandising/raw_inventory's landing file "
        "inventory_snapshots.parquet by sku keeps 1 of 150 keys (121 of 18,180 rows), fewer "
        "than 20" in warned
    )
    assert (
        "Read a larger sample (TAILOR_SAMPLE=0.2), or merchandising/raw_inventory alone at 0.2 "
        "(TAILOR_SAMPLE=0.01,merchandising/raw_inventory=0.2)." in warned
    )
    use(env="dev", sample="0.01", user="bob")  # bob's sandbox is empty: reads production's
    read = merchandising.execute_in_process(
        instance=instance, asset_selection=[AssetKey(["merchandising", "inventory"])]
    )
    assert (
        "The 0.01 sample of merchandising/raw_inventory by sku keeps 1 of 150 keys (121 of "
        "18,180 rows), fewer than 20" in "\n".join(warnings_of(instance, read))
    )
    use(env="dev", sample="0.2")  # what the README suggests: enough keys, no warning
    enough = merchandising.execute_in_process(instance=instance, raise_on_error=False)
    assert enough.success, run_failure(enough)
    assert not [w for w in warnings_of(instance, enough) if "sample of" in w]


@pytest.mark.parametrize(
    ("setting", "kept", "whole", "suggested"),
    [
        (
            "0.2",
            (19, 95),
            (150, 750),
            "TAILOR_SAMPLE=0.5), or t/a alone at 0.5 (TAILOR_SAMPLE=0.2,t/a=0.5)",
        ),
        (
            "0.5",
            (12, 60),
            (30, 150),
            "TAILOR_SAMPLE=1), or t/a alone at 1 (TAILOR_SAMPLE=0.5,t/a=1)",
        ),
        ("0.01", (20, 100), (2000, 10_000), None),  # enough keys
        ("0.5", (8, 40), (8, 40), None),  # the table has no more keys to keep
    ],
)
def test_a_thin_sample_suggests_a_larger_fraction_that_keeps_enough(
    setting, kept, whole, suggested
):
    warning = Sampling.parse(setting).thin_sample_warning("t/a", "k", lambda: kept, lambda: whole)
    assert (warning is None) if suggested is None else (suggested in warning)
