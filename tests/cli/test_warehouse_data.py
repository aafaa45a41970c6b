"""`tailor table show` and `tailor sql` through the real command, on a real warehouse:
production crm, and Alice's sandbox holding a changed crm/clients (but not crm/orders)."""

import json
import os
import pty
import subprocess

import pytest
from dagster import DagsterInstance

from platform_lib.environment.sampling import Sampling
from platform_lib.settings import WAREHOUSE_ENV
from platform_lib.sql import with_literals
from tests.cli.test_tailor_cli import TAILOR
from tests.crm_sandbox import FRAMES, fingerprint, make_frames, read, run
from tests.in_process_cli import run_tailor


@pytest.fixture(scope="module")
def crm(tmp_path_factory):
    """The warehouse: made once for this module, whose commands only read it (and the
    refused writes prove they leave it as it was)."""
    warehouse = tmp_path_factory.mktemp("crm") / "warehouse"
    with pytest.MonkeyPatch.context() as patch, DagsterInstance.ephemeral() as instance:
        patch.setenv(WAREHOUSE_ENV, str(warehouse))
        patch.setenv("TAILOR_USER", "alice")
        for name in ("TAILOR_ENV", "TAILOR_SAMPLE", "TAILOR_SAMPLE_SEED"):
            patch.delenv(name, raising=False)
        make_frames()
        assert run(instance).success
        patch.setenv("TAILOR_ENV", "dev")
        FRAMES["clients"] = FRAMES["clients"].assign(region="south", tier="gold")
        assert run(instance, "clients").success
    return warehouse


def tailor(warehouse, *args: str, cwd=None, **variables: str) -> subprocess.CompletedProcess:
    """The real `tailor` (in this process), on this warehouse, as Alice, in prod unless told."""
    environment = {"TAILOR_WAREHOUSE_DIR": str(warehouse), "TAILOR_USER": "alice"}
    environment.update({"TAILOR_ENV": "", "TAILOR_SAMPLE": "", "COLUMNS": "120", **variables})
    return run_tailor(*args, env=environment, cwd=cwd)


def shown(result) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_table_show_prints_aligned_rows_of_production(crm):
    result = tailor(crm, "table", "show", "crm/clients", "--limit", "3")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "crm/clients from production",
        "(the first 3 rows; --limit N shows more)",
    ]
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["client_id", "region"],
        ["─" * len("client_id  region")],  # two spaces between columns
        ["1", "north"],
        ["2", "north"],
        ["3", "north"],
    ]
    rows = shown(tailor(crm, "table", "show", "crm/clients", "--where", "client_id > 1998",
                        "--columns", "region,client_id", "--json"))  # fmt: skip
    assert rows == [{"region": "north", "client_id": 1999}, {"region": "north", "client_id": 2000}]


def test_table_show_in_dev_reads_the_sandbox_else_production_and_the_sample(crm):
    for args, variables in ((["--env", "dev"], {}), ([], {"TAILOR_ENV": "dev"})):
        result = tailor(crm, "table", "show", "crm/clients", "--json", *args, **variables)
        assert result.stderr.splitlines()[0] == "crm/clients from your sandbox (crm__dev_alice)"
        assert shown(result)[0] == {"client_id": 1, "region": "south", "tier": "gold"}
    orders = tailor(crm, "table", "show", "crm/orders", "--env", "dev")
    assert orders.stderr.splitlines()[0] == "crm/orders from production (crm__prod)"

    sampled = tailor(crm, "table", "show", "crm/orders", "--limit", "100000", "--json",
                     TAILOR_ENV="dev", TAILOR_SAMPLE="0.1")  # fmt: skip
    said = "crm/orders from production (crm__prod), a 0.1 sample by client_id"
    assert sampled.stderr.splitlines()[0] == said
    condition = with_literals(*Sampling.parse("0.1").predicate("client_id", 0.1))
    expected = read(crm, f"crm.orders WHERE {condition}")
    assert 0 < len(expected) < len(read(crm, "crm.orders"))
    assert sorted(row["order_id"] for row in shown(sampled)) == sorted(expected.order_id)


def test_table_show_misspelt_asset_team_or_column_is_one_line_with_the_closest(crm):
    for args, error, hint in (
        (["crm/clints"], "crm/clints has no table in production. Did you mean crm/clients?",
         "crm's tables: crm/client_orders, crm/clients, crm/orders"),
        (["crn/clients"], "crn/clients: the warehouse has no team 'crn'. Did you mean crm?",
         "teams with tables: crm"),
        (["crm/clients", "--columns", "client_id,regoin"],
         "crm/clients has no column 'regoin'. Did you mean region?",
         "its columns: client_id, region"),
        (["crm/clients", "--where", "regoin = 'north'"],
         'Binder Error: Referenced column "regoin" not found in FROM clause!',
         "check --where: a SQL predicate over crm/clients's columns"),
    ):  # fmt: skip
        result = tailor(crm, "table", "show", *args)
        assert result.returncode == 1
        assert result.stderr.splitlines()[-2:] == [f"Error: {error}", f"  hint: {hint}"], args


def test_table_show_pages_rows_taller_than_the_terminal(crm, tmp_path):
    paged = tmp_path / "paged.txt"
    pager = tmp_path / "pager"
    pager.write_text(f"#!/bin/sh\ncat > {paged}\n")
    pager.chmod(0o755)
    for limit, expect_paged in (("5", False), ("200", True)):
        terminal, stdout = pty.openpty()
        process = subprocess.Popen(
            [TAILOR, "table", "show", "crm/clients", "--limit", limit],
            stdin=stdout,  # a person at a terminal: both ends on it
            stdout=stdout,
            stderr=subprocess.PIPE,
            env={**os.environ, "TAILOR_WAREHOUSE_DIR": str(crm), "TAILOR_ENV": "",
                 "PAGER": str(pager), "LINES": "40", "COLUMNS": "100"},
        )  # fmt: skip
        os.close(stdout)
        while True:  # drain the terminal
            try:
                if not os.read(terminal, 65536):
                    break
            except OSError:
                break
        assert process.wait(timeout=120) == 0, process.stderr.read()
        os.close(terminal)
        assert paged.exists() == expect_paged
    assert paged.read_text().count("north") == 200


def test_sql_reads_every_team_and_in_dev_the_sandbox_first_and_the_sample(crm):
    rows = shown(tailor(crm, "sql", "SELECT region, count(*) AS clients FROM crm.clients "
                        "GROUP BY region", "--json"))  # fmt: skip
    assert rows == [{"region": "north", "clients": 2000}]
    query = "SELECT tier, count(*) AS n FROM crm.clients GROUP BY tier"
    in_dev = shown(tailor(crm, "sql", query, "--json", "--env", "dev"))
    assert in_dev == [{"tier": "gold", "n": 2000}]  # the sandbox's clients, as crm.clients
    sandbox = "SELECT count(*) AS n FROM crm__dev_alice.clients WHERE tier = 'gold'"
    assert shown(tailor(crm, "sql", sandbox, "--json", "--env", "dev")) == [{"n": 2000}]
    production = "SELECT count(*) AS n FROM crm__prod.orders"
    assert shown(tailor(crm, "sql", production, "--json", "--env", "dev")) == [{"n": 10_000}]

    joined = ("SELECT count(DISTINCT c.client_id) AS clients, count(*) AS orders, min(c.tier) AS "
              "tier FROM crm.orders o JOIN crm.clients c USING (client_id)")  # fmt: skip
    sampled = tailor(crm, "sql", joined, "--json", TAILOR_ENV="dev", TAILOR_SAMPLE="0.1")
    assert sampled.stderr.splitlines()[0] == (
        f"env dev, {crm}: team.asset reads your sandbox's table (team__dev_alice.asset) when it "
        "holds one, else production's (team__prod.asset), a 0.1 sample by each table's sample_by"
    )
    condition = with_literals(*Sampling.parse("0.1").predicate("client_id", 0.1))
    kept = read(crm, f"crm.orders WHERE {condition}")
    assert shown(sampled) == [
        {"clients": kept.client_id.nunique(), "orders": len(kept), "tier": "gold"}
    ]

    result = tailor(crm, "sql", sandbox)  # prod: no sandbox attached
    assert result.returncode == 1
    said, error, hint = result.stderr.splitlines()
    assert said == f"env prod, {crm}: every team's tables as team.asset"
    assert error.startswith("Error: Catalog Error: ") and "crm__dev_alice" in error
    assert hint == "  hint: tables read as team.asset; tailor sql 'SHOW ALL TABLES' lists them"
    misspelt = tailor(crm, "sql", "SELECT *\nFROM crm.clints")
    assert misspelt.stderr.splitlines()[1:] == [
        'Error: Catalog Error: Table with name clints does not exist! Did you mean "clients"?',
        "  hint: tables read as team.asset; tailor sql 'SHOW ALL TABLES' lists them",
    ]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("INSTALL httpfs", "INSTALL statements are refused."),
        ("/* first */ attach 'new.duckdb' AS new", "ATTACH statements are refused."),
        ("WITH a AS (SELECT 1) INSERT INTO crm.clients SELECT * FROM a", "INSERT statements"),
    ],
)
def test_sql_names_the_statement_it_refuses_as_written(crm, query, said):
    result = tailor(crm, "sql", query, "--env", "dev")
    assert result.returncode == 1
    assert f"Error: tailor sql only reads; {said}" in result.stderr


@pytest.mark.parametrize(
    "query",
    [
        "DROP TABLE crm.clients",
        "INSERT INTO crm.clients VALUES (9999, 'x')",
        "CREATE TABLE crm.copy AS SELECT * FROM crm.clients",
        "CREATE TABLE scratch AS SELECT 1",
        "COPY (SELECT * FROM crm.clients) TO 'clients.csv'",
        "ATTACH 'new.duckdb' AS new",
        "SELECT 1; DROP TABLE crm.clients",
    ],
)
def test_sql_refuses_writes_and_nothing_changes_on_disk(crm, tmp_path, query):
    before = {catalog: fingerprint(catalog) for catalog in crm.rglob("*.sqlite")}
    here = tmp_path / "here"
    here.mkdir()
    result = tailor(crm, "sql", query, "--env", "dev", cwd=here)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 3  # what it reads, the error, the hint
    assert "refused" in result.stderr or "one statement" in result.stderr
    assert {catalog: fingerprint(catalog) for catalog in crm.rglob("*.sqlite")} == before
    assert list(here.iterdir()) == []
