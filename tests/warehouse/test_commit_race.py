"""A commit that read the lake's catalog while another writer's commit of the same table was
half-way in is retried whole, like any commit another writer won."""

import duckdb
import pandas as pd

from platform_lib.warehouse.commits import commit_retrying
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake

# what DuckLake 1.5.5 raised in bench/concurrency.py, 4 processes writing one table
HALF_WAY = (
    "TransactionContext Error: Failed to commit: Failed to commit DuckLake transaction.\n"
    'Failed to load DuckLake - Table entry "shared" does not have any columns'
)


def test_a_commit_that_saw_another_half_way_is_retried_and_commits(tmp_path):
    catalog = tmp_path / "crm.sqlite"
    attempts = []
    with lake_connection(FileLake(catalog), read_only=False) as connection:
        connection.register("frame", pd.DataFrame({"n": range(10)}))

        def transaction() -> int:
            attempts.append(1)
            connection.execute("BEGIN TRANSACTION")
            connection.execute("CREATE OR REPLACE TABLE shared AS SELECT * FROM frame")
            if len(attempts) == 1:  # the first commit lost the race
                connection.execute("ROLLBACK")
                raise duckdb.TransactionException(HALF_WAY)
            connection.execute("COMMIT")
            return len(attempts)

        assert commit_retrying(FileLake(catalog), transaction, wait_seconds=30) == 2
    with lake_connection(FileLake(catalog), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM shared").fetchone()[0] == 10
