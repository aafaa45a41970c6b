"""The starter notebook `make notebook` opens, executed cell by cell on a real Jupyter kernel
(this environment's Python, through ipykernel) against a warehouse holding a real run's
tables: it reads a team's table with open_warehouse and draws a plot."""

import base64
import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from platform_lib.settings import REPO_ROOT
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.file_lake import FileLake

NOTEBOOK = REPO_ROOT / "notebooks" / "start_here.ipynb"


def outputs(cell) -> list[dict]:
    return cell.get("outputs", [])


def executed(notebook_path: Path = NOTEBOOK) -> list:
    """The notebook's code cells, run top to bottom; the kernel inherits this test's
    environment (TAILOR_WAREHOUSE_DIR, TAILOR_ENV, ...)."""
    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=180,
        resources={"metadata": {"path": str(notebook_path.parent)}},
    )
    client.execute()
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def listed_tables(first_cell) -> str:
    return next(o for o in outputs(first_cell) if o.get("output_type") == "execute_result")["data"][
        "text/plain"
    ]


def test_the_starter_notebook_reads_a_teams_table_and_plots_it(warehouse, workspace, instance):
    merchandising = workspace["merchandising"].resolve_implicit_global_asset_job_def()
    assert merchandising.execute_in_process(instance=instance).success
    code = executed()
    printed = "".join(o.get("text", "") for cell in code for o in outputs(cell))
    rows = next(line for line in printed.splitlines() if "rows read from" in line)
    assert int(rows.split()[0]) > 100, printed
    assert "demand_forecast" in listed_tables(code[0])
    images = [o for cell in code for o in outputs(cell) if "image/png" in o.get("data", {})]
    assert len(images) == 1 and len(images[0]["data"]["image/png"]) > 10_000
    if (keep := os.environ.get("TAILOR_NOTEBOOK_PLOT")) is not None:
        Path(keep).write_bytes(base64.b64decode(images[0]["data"]["image/png"]))


def test_in_dev_it_lists_the_tables_team_asset_reads_your_sandbox_first(
    warehouse, workspace, instance, monkeypatch
):
    merchandising = workspace["merchandising"].resolve_implicit_global_asset_job_def()
    assert merchandising.execute_in_process(instance=instance).success  # production's tables
    sandbox = warehouse / "sandboxes" / "merchandising__dev_grace.sqlite"
    with lake_connection(
        FileLake(sandbox), read_only=False
    ) as connection:  # grace's own demand_forecast
        connection.execute("CREATE TABLE demand_forecast AS SELECT 1 AS sku")
    monkeypatch.setenv("TAILOR_ENV", "dev")
    monkeypatch.setenv("TAILOR_USER", "grace")
    listing = listed_tables(executed()[0])
    rows = {tuple(line.split()[1:3]): line for line in listing.splitlines()[1:]}
    assert set(rows) == {
        ("merchandising", table)
        for table in ("demand_forecast", "inventory", "raw_inventory", "raw_purchase_orders")
    }, listing
    assert "your sandbox (merchandising__dev_grace)" in rows["merchandising", "demand_forecast"]
    assert "production (merchandising__prod)" in rows["merchandising", "inventory"]
    assert "__prod " not in listing.replace("(merchandising__prod)", "")


def test_on_an_empty_warehouse_it_says_what_to_do_first(warehouse):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, kernel_name="python3", timeout=180, allow_errors=True).execute()
    first = [cell for cell in notebook.cells if cell.cell_type == "code"][0]
    printed = "".join(output.get("text", "") for output in outputs(first))
    assert "No table yet: run make dev and materialize the merchandising group" in printed


def test_the_starter_notebook_is_kept_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def test_the_starter_notebook_points_to_the_address_make_dev_prints():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    text = "".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "open the address it prints" in text and "http://" not in text  # PORT may differ
