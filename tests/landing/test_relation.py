"""``LandingZone.relation``: a landing file as a lazy DuckDB relation, with the rows the pandas
read gives, whole and in sample mode (the same keys kept), and the same clear errors."""

import pandas as pd
import pytest

from platform_lib import LandingFileError, LandingZone
from platform_lib.environment.sampling import Sampling
from platform_lib.landing.sample import LandingSample, sampling_landing_reads

FILES = {  # the file, the pandas read's options, its sample key
    "inventory_snapshots.parquet": ({}, "sku"),
    "purchase_orders.csv": ({"parse_dates": ["order_date", "expected_date"]}, "sku"),
    "clients.csv": ({"parse_dates": ["signup_date"]}, "client_id"),
}


def same_rows(relation, frame: pd.DataFrame) -> None:
    lazy = relation.df()
    assert list(lazy.columns) == list(frame.columns)
    order = list(frame.columns)
    pd.testing.assert_frame_equal(  # DuckDB's datetimes are microseconds, pandas' nanoseconds
        lazy.sort_values(order, ignore_index=True),
        frame.sort_values(order, ignore_index=True),
        check_dtype=False,
    )
    for column in frame.columns:
        assert lazy[column].dtype.kind == frame[column].dtype.kind, column


@pytest.mark.parametrize("file_name", sorted(FILES))
def test_a_relation_has_the_pandas_reads_rows_whole_and_sampled(file_name, landing_zone, warehouse):
    options, key = FILES[file_name]
    zone = LandingZone(path=str(landing_zone))
    same_rows(zone.relation(file_name), zone.read(file_name, **options))
    sample = LandingSample(f"team/{file_name}", key, 0.2, Sampling.parse("0.2"))
    with sampling_landing_reads(sample):
        relation, frame = zone.relation(file_name), zone.read(file_name, **options)
    whole = zone.read(file_name, **options)
    assert 0 < len(frame) < len(whole)  # a sample, not the file
    same_rows(relation, frame)
    kept = {row[0] for row in relation.select(key).distinct().fetchall()}
    assert kept == set(frame[key])


def test_a_relation_is_a_query_on_duckdbs_default_connection(landing_zone, warehouse):
    import duckdb

    raw = LandingZone(path=str(landing_zone)).relation("purchase_orders.csv")
    assert raw.types[raw.columns.index("order_date")] == duckdb.sqltype("DATE")
    assert duckdb.sql("SELECT count(*) FROM raw").fetchone()[0] == len(raw)  # duckdb.sql sees it


def test_a_missing_or_unreadable_file_is_an_error_naming_it(tmp_path):
    zone = LandingZone(path=str(tmp_path))
    with pytest.raises(LandingFileError, match=r"orders.parquet does not exist.*make landing"):
        zone.relation("orders.parquet")
    (tmp_path / "orders.parquet").write_text("not parquet")
    with pytest.raises(LandingFileError, match=r"orders.parquet could not be read"):
        zone.relation("orders.parquet")
    with pytest.raises(LandingFileError, match=r"'orders.json' has an unsupported type"):
        zone.relation("orders.json")
