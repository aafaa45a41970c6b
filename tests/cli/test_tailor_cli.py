"""The `tailor` command through its real entry point (a subprocess), on this repository and
on broken temporary copies of it."""

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance

from platform_lib.settings import LANDING_ENV, REPO_ROOT, WAREHOUSE_ENV

TAILOR = str(Path(sys.executable).parent / "tailor")


def tailor(*args: str, cwd: Path = REPO_ROOT, env: dict | None = None):
    return subprocess.run(
        [TAILOR, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_passes_on_this_repository():
    result = tailor("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: 3 code location(s) follow the platform's rules" in result.stdout


ROGUE = """
import pandas as pd
from dagster import Definitions, asset


@asset
def loose() -> pd.DataFrame:
    return pd.DataFrame()


defs = Definitions(assets=[loose])
"""


CRASHING = """import pandas as pd

raise RuntimeError("the team's code raises on import")
"""


@pytest.fixture
def broken_copy(tmp_path) -> Path:
    """A copy of the repository breaking one rule of each kind."""
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("platform_lib", "teams"):
        shutil.copytree(REPO_ROOT / folder, copy / folder, ignore=ignore)
    workspace = (REPO_ROOT / "workspace.yaml").read_text()
    for team, definitions in (("rogue", ROGUE), ("crashing", CRASHING)):
        workspace += (
            f"  - python_module:\n      module_name: teams.{team}.definitions\n"
            f"      attribute: defs\n      location_name: {team}\n"
        )
        (copy / "teams" / team).mkdir()
        (copy / "teams" / team / "__init__.py").write_text("")
        (copy / "teams" / team / "definitions.py").write_text(definitions)
    (copy / "workspace.yaml").write_text(workspace)
    workload = copy / "teams" / "styling" / "workload.py"
    workload.write_text(
        workload.read_text()
        .replace(
            "import pandas as pd\n", "import pandas as pd\n\nimport teams.merchandising.inventory\n"
        )
        .replace('key=["client_insights", "churn_risk"]', 'key=["client_insights", "churn_rsk"]')
    )
    contracts = copy / "teams" / "merchandising" / "contracts.py"
    text = contracts.read_text()
    start = text.index("class Inventory")
    category = text.index("    category:", start)
    end = text.index("\n", category)
    contracts.write_text(text[:category] + text[end + 1 :])
    return copy


def test_check_catches_each_rule_with_file_and_line(broken_copy):
    result = tailor("--root", str(broken_copy), "check", env={"PYTHONPATH": str(broken_copy)})
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "teams/rogue/definitions.py:6: [key-prefix] loose is not under key prefix 'rogue'" in out
    for rule in ("[owner]", "[group]", "[description]", "[checks]"):
        assert f"teams/rogue/definitions.py:6: {rule}" in out, rule
    assert (
        "teams/styling/workload.py:5: [imports] team 'styling' imports teams.merchandising" in out
    )
    workload = (broken_copy / "teams" / "styling" / "workload.py").read_text().splitlines()
    line = next(n for n, text in enumerate(workload, 1) if '"churn_rsk"' in text)
    assert (
        f"teams/styling/workload.py:{line}: [dependencies] team 'styling' depends on "
        "client_insights/churn_rsk (read by styling/stylist_workload), which no code location "
        "defines (misspelt, or its team removed it). Did you mean client_insights/churn_risk?"
    ) in out
    assert "churn_rsk, which team 'client_insights' publishes without a contract" not in out
    recommendations = (broken_copy / "teams" / "styling" / "recommendations.py").read_text()
    line = next(
        n for n, text in enumerate(recommendations.splitlines(), 1) if '"category": "str"' in text
    )
    assert (
        f"teams/styling/recommendations.py:{line}: [consumed-columns] "
        "styling/style_recommendations (team 'styling') reads column 'category' of "
        "merchandising/inventory" in out
    )
    assert (
        "teams/crashing/definitions.py:3: [loads] code location 'crashing' fails to load: "
        "the team's code raises on import" in out
    )


def test_check_reports_a_syntax_error_at_its_line_and_checks_the_rest(broken_copy):
    (broken_copy / "teams" / "crashing" / "definitions.py").write_text(
        "import pandas as pd\n\n\ndef broken(:\n    pass\n"
    )
    result = tailor("--root", str(broken_copy), "check", env={"PYTHONPATH": str(broken_copy)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "teams/crashing/definitions.py:4: [loads] code location 'crashing'" in result.stdout
    assert "[dependencies] team 'styling' depends on client_insights/churn_rsk" in result.stdout


def test_list_shows_every_team_with_its_assets_as_json():
    result = tailor("list", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress in the way of a pipe
    rows = {row["team"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {"merchandising", "client_insights", "styling"}
    assert rows["styling"]["assets"] == ["style_recommendations", "stylist_workload"]
    assert "styling_automation" in rows["styling"]["sensors"]
    assert "merchandising_run_failure_alerts" in rows["merchandising"]["sensors"]
    assert rows["merchandising"]["owners"] == ["team:merchandising"]
    assert rows["styling"]["schedules"] == ["styling_morning_workload", "styling_lake_upkeep"]
    assert isinstance(rows["styling"]["checks"], int)
    assert rows["styling"]["alert_routes"] == [
        "slack $STYLING_SLACK_WEBHOOK (unset)",
        "webhook $STYLING_ALERT_WEBHOOK (unset)",
        "local log",
    ]


def test_list_fits_the_width_and_wide_keeps_each_row_on_one_line():
    narrow = tailor("list", env={"COLUMNS": "100"})
    assert narrow.returncode == 0, narrow.stderr
    assert max(map(len, narrow.stdout.splitlines())) <= 100, narrow.stdout
    assert [line.split()[0] for line in narrow.stdout.splitlines() if line[:1].isalpha()] == [
        "team", "merchandising", "client_insights", "styling"
    ]  # fmt: skip
    piped = tailor("list", env={"COLUMNS": ""})  # not a terminal, no COLUMNS: 120 wide
    assert max(map(len, piped.stdout.splitlines())) <= 120

    wide = tailor("list", "--wide", env={"COLUMNS": "100"})
    lines = {line.split()[0]: line for line in wide.stdout.splitlines() if line[:1].isalpha()}
    assert len(wide.stdout.strip().splitlines()) == 2 + 3  # header, rule, a line per team
    styling = lines["styling"]
    assert "style_recommendations, stylist_workload" in styling
    assert "automation, run_failure_alerts, check_failure_alerts" in (styling)
    assert len(styling) > 100


@pytest.fixture(scope="module")
def runs_once(tmp_path_factory, landing_zone, workspace):
    """A Dagster instance folder (as make writes it) that saw merchandising and client_insights
    materialized, then a client_insights run failing its client_id_unique check; its
    warehouse and the landing zone those runs read. Made once for this module."""
    root = tmp_path_factory.mktemp("instance_with_runs")
    home, landing = root / "home", root / "landing"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # as make writes
    shutil.copytree(landing_zone, landing)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(WAREHOUSE_ENV, str(root / "warehouse"))
        patch.setenv(LANDING_ENV, str(landing))
        with DagsterInstance.from_config(str(home)) as instance:
            for team in ("merchandising", "client_insights"):
                job = workspace[team].resolve_implicit_global_asset_job_def()
                assert job.execute_in_process(instance=instance).success
            clients = pd.read_csv(landing / "clients.csv")
            clients.loc[1, "client_id"] = clients.loc[0, "client_id"]
            clients.to_csv(landing / "clients.csv", index=False)
            job = workspace["client_insights"].resolve_implicit_global_asset_job_def()
            assert not job.execute_in_process(instance=instance, raise_on_error=False).success
    return root


@pytest.fixture
def instance_with_runs(runs_once, tmp_path, monkeypatch, workspace):
    """This test's copy of ``runs_once`` (its instance home, landing zone and locations),
    the warehouse and landing zone set for runs it makes."""
    for name in ("home", "landing", "warehouse"):
        shutil.copytree(runs_once / name, tmp_path / name)
    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "warehouse"))
    monkeypatch.setenv(LANDING_ENV, str(tmp_path / "landing"))
    return tmp_path / "home", tmp_path / "landing", workspace


def split_words(table: str, width: int, headers: list[str], wide: str) -> list[str]:
    """The words of ``table`` (at most ``width`` wide, its first line ``headers`` whole) that
    are neither a word of the ``wide`` rendering (or an age, e.g. 9s, which moves on between
    the two) nor one cut short with an ellipsis."""
    lines = table.splitlines()
    assert max(map(len, lines)) <= width, table
    assert lines[0].split() == headers, table
    whole = {word.rstrip(",") for word in wide.split()}
    return [
        word
        for line in lines[2:]
        for word in line.split()
        if word not in whole
        and not re.fullmatch(r"\d+[smhd]", word)
        and not (word.endswith("…") and any(w.startswith(word[:-1]) for w in whole))
    ]


@pytest.mark.parametrize("width", [100, 120])
def test_list_wraps_cells_at_spaces_and_cuts_long_words_with_an_ellipsis(width):
    table = tailor("list", env={"COLUMNS": str(width)}).stdout
    wide = tailor("list", "--wide").stdout
    headers = ["team", "assets", "owners", "checks", "schedules", "sensors", "alert_routes"]
    assert split_words(table, width, headers, wide) == []
    assert "run_failure_alerts" in wide.split(", ")  # the table drops the team's prefix
    assert "merchandising_run_failure_alerts" in tailor("list", "--json").stdout


@pytest.mark.parametrize("width", [100, 120])
def test_status_wraps_cells_at_spaces_and_never_splits_a_header(instance_with_runs, width):
    variables = {"DAGSTER_HOME": str(instance_with_runs[0]), "COLUMNS": str(width)}
    table = tailor("status", env=variables).stdout
    wide = tailor("status", "--wide", env=variables).stdout
    headers = ["team", "latest", "age", "sample", "never_materialized", "checks_failing",
               "failed_runs_24h"]  # fmt: skip
    assert split_words(table, width, headers, wide) == []


def test_status_reads_real_runs_from_the_instance(instance_with_runs):
    home, _, locations = instance_with_runs
    result = tailor("status", "--json", env={"DAGSTER_HOME": str(home), "TAILOR_ENV": ""})
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"Dagster instance {home} ($DAGSTER_HOME); env prod"]
    rows = {row["team"]: row for row in json.loads(result.stdout)}
    assert rows["merchandising"]["never_materialized"] == 0
    assert rows["merchandising"]["latest"].startswith("merchandising/")
    when = datetime.fromisoformat(rows["merchandising"]["materialized_at"])
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=10)
    age = rows["merchandising"]["age_seconds"]
    assert isinstance(age, int | float) and 0 <= age < 600
    assert abs((datetime.now(UTC) - when).total_seconds() - age) < 120
    assert rows["merchandising"]["sample"] == "full"
    assert rows["merchandising"]["failed_runs_24h"] == 0
    statuses = list(latest_check_statuses(home, locations["client_insights"]).values())
    assert statuses.count("FAILED") == 1  # client_id_unique; its downstream checks never ran
    assert statuses.count("PLANNED") > 0
    assert rows["client_insights"]["checks_failing"] == 1
    assert rows["client_insights"]["checks_not_run"] == statuses.count("PLANNED")
    assert rows["client_insights"]["failed_runs_24h"] == 1
    styling = rows["styling"]
    assert styling["never_materialized"] == 2
    assert styling["latest"] is styling["materialized_at"] is styling["age_seconds"] is None

    text = tailor("status", env={"DAGSTER_HOME": str(home), "COLUMNS": "200"}).stdout
    header, _, *rest = text.splitlines()
    lines, caption = rest[:3], " ".join(rest[3:])
    assert header.split() == [
        "team", "latest", "age", "sample", "never_materialized", "checks_failing",
        "failed_runs_24h",
    ]  # fmt: skip
    merchandising = lines[0].split()
    assert merchandising[0] == "merchandising"
    assert merchandising[1] == rows["merchandising"]["latest"].removeprefix("merchandising/")
    assert merchandising[2][:-1].isdigit() and merchandising[2][-1] in "sm"  # e.g. 11m
    assert lines[2].split() == ["styling", "-", "-", "-", "2", "0", "0"]
    not_run = statuses.count("PLANNED")
    assert f" 1 (+{not_run} not run) " in lines[1]  # client_insights: failing, and not run
    assert caption == (
        "checks_failing: checks whose latest evaluation failed (+ those not run: their latest "
        "run failed first)"
    )

    wide = tailor("status", "--wide", env={"DAGSTER_HOME": str(home)}).stdout
    assert wide.splitlines()[0].split()[:4] == ["team", "latest", "materialized_at", "age"]


def test_status_counts_a_check_whose_run_failed_before_it_ran(instance_with_runs):
    """client_id_unique failed; then a run fails before its checks run (EXECUTION_FAILED):
    they count as not run, not as failing."""
    home, landing, locations = instance_with_runs
    (landing / "clients.csv").write_text("not,the,columns\n1,2,3\n")
    with DagsterInstance.from_config(str(home)) as instance:
        job = locations["client_insights"].resolve_implicit_global_asset_job_def()
        assert not job.execute_in_process(instance=instance, raise_on_error=False).success
    latest = latest_check_statuses(home, locations["client_insights"])
    unique = AssetCheckKey(AssetKey(["client_insights", "raw_clients"]), "client_id_unique")
    assert latest[unique] == "PLANNED"  # never evaluated: its run failed
    assert "FAILED" not in latest.values()
    result = tailor("status", "--json", env={"DAGSTER_HOME": str(home), "TAILOR_ENV": ""})
    rows = {row["team"]: row for row in json.loads(result.stdout)}
    assert rows["client_insights"]["checks_not_run"] == list(latest.values()).count("PLANNED")
    assert rows["client_insights"]["checks_failing"] == 0


def latest_check_statuses(home: Path, defs) -> dict:
    """The status each check of ``defs`` recorded last in the instance at ``home`` (PLANNED:
    its run never evaluated it)."""
    checks = [
        AssetCheckKey(spec.asset_key, spec.name)
        for assets in defs.assets or []
        for spec in getattr(assets, "check_specs", [])
    ]
    with DagsterInstance.from_config(str(home)) as instance:
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(checks)
    return {key: record.status.value for key, record in latest.items()}


def test_errors_are_one_line_and_a_hint(tmp_path):
    (tmp_path / "workspace.yaml").write_text("load_from: []\n")
    result = tailor("--root", str(tmp_path), "status", env={"DAGSTER_HOME": "", "TAILOR_ENV": ""})
    assert result.returncode == 1
    home = tmp_path.resolve() / ".dagster_home"
    assert result.stderr.strip().splitlines() == [
        f"Dagster instance {home} (make dev's for TAILOR_ENV=prod); env prod",
        f"Error: No Dagster instance in {home} (make dev's for TAILOR_ENV=prod).",
        "  hint: run `make dev` once to create it, or set DAGSTER_HOME to an instance's folder",
    ]
