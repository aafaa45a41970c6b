"""SQL text: parameters spelt as literals mean what the bound parameters mean."""

import duckdb
import pytest

from platform_lib.environment.sampling import Sampling
from platform_lib.sql import with_literals


def test_a_query_with_literals_keeps_the_rows_its_parameters_keep():
    connection = duckdb.connect()
    connection.execute(
        """CREATE TABLE t AS SELECT range AS "who?", 'it''s ?' AS note FROM range(1000)"""
    )
    condition, parameters = Sampling.parse("0.1", seed="o'brien ?").predicate("who?", 0.1)
    query = f"SELECT * FROM t WHERE note = ? AND {condition} ORDER BY ALL"
    bound = connection.execute(query, ["it's ?", *parameters]).fetchall()
    assert 0 < len(bound) < 1000
    assert connection.execute(with_literals(query, ["it's ?", *parameters])).fetchall() == bound
    with pytest.raises(ValueError, match="one placeholder per parameter"):
        with_literals(query, parameters)
