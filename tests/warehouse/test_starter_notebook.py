"""The starter notebook `make notebook` opens, executed cell by cell on a real Jupyter kernel
(this environment's Python, through ipykernel) against a warehouse holding a real run's
tables: it reads a team's table with open_warehouse and draws a plot."""

import base64
import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from platform_lib.settings import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "start_here.ipynb"


def outputs(cell) -> list[dict]:
    return cell.get("outputs", [])


def test_the_starter_notebook_reads_a_teams_table_and_plots_it(warehouse, workspace, instance):
    merchandising = workspace["merchandising"].resolve_implicit_global_asset_job_def()
    assert merchandising.execute_in_process(instance=instance).success
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(  # the kernel inherits this test's TAILOR_WAREHOUSE_DIR
        notebook,
        kernel_name="python3",
        timeout=180,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    printed = "".join(o.get("text", "") for cell in code for o in outputs(cell))
    rows = next(line for line in printed.splitlines() if "rows read from" in line)
    assert int(rows.split()[0]) > 100, printed
    tables = next(o for o in outputs(code[0]) if o.get("output_type") == "execute_result")
    assert "demand_forecast" in tables["data"]["text/plain"]
    images = [o for cell in code for o in outputs(cell) if "image/png" in o.get("data", {})]
    assert len(images) == 1 and len(images[0]["data"]["image/png"]) > 10_000
    if (keep := os.environ.get("TAILOR_NOTEBOOK_PLOT")) is not None:
        Path(keep).write_bytes(base64.b64decode(images[0]["data"]["image/png"]))


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
