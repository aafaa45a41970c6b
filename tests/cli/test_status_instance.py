"""`tailor status` says which Dagster instance, environment and sample it reports on, and
`--env dev` reads the instance `make dev TAILOR_ENV=dev` uses; through the real command."""

import json
import shutil
import subprocess

import pytest
from dagster import DagsterInstance

from platform_lib.settings import REPO_ROOT, dagster_home
from platform_lib.workspace.locations import read_workspace
from tests.cli.test_tailor_cli import tailor


def make_variable(name: str, **variables: str) -> str:
    """What the Makefile sets ``name`` to, given ``variables`` on make's command line."""
    target = "print-variable"
    result = subprocess.run(
        ["make", "-s", "-C", str(REPO_ROOT), "--eval", f"{target}: ; @echo $({name})", target]
        + [f"{key}={value}" for key, value in variables.items()],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize("environment", ["prod", "dev"])
def test_the_instance_of_an_environment_is_the_one_the_makefile_uses(environment):
    home = make_variable("DAGSTER_HOME", TAILOR_ENV=environment)
    assert home == str(dagster_home(REPO_ROOT, environment))


@pytest.fixture
def repository_with_two_instances(tmp_path, warehouse, use):
    """A repository whose production instance saw merchandising materialized and whose dev
    instance saw client_insights materialized from a 0.5 sample (into Alice's sandbox)."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO_ROOT / "workspace.yaml", root)
    locations = {location.name: location.load() for location in read_workspace()}
    for environment, team in (("prod", "merchandising"), ("dev", "client_insights")):
        home = dagster_home(root, environment)
        home.mkdir(parents=True, exist_ok=True)
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        use(env=environment if environment == "dev" else None,
            sample="0.5" if environment == "dev" else None)  # fmt: skip
        with DagsterInstance.from_config(str(home)) as instance:
            job = locations[team].resolve_implicit_global_asset_job_def()
            assert job.execute_in_process(instance=instance).success
    use(env=None)
    return root


def status(root, *args, **variables):
    result = tailor("--root", str(root), "status", "--json", *args,
                    env={"DAGSTER_HOME": "", "TAILOR_ENV": "", **variables})  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stderr.strip(), {row["team"]: row for row in json.loads(result.stdout)}


def test_status_names_its_instance_and_env_dev_reads_the_dev_instance(
    repository_with_two_instances,
):
    root = repository_with_two_instances.resolve()
    said, rows = status(root)
    assert (
        said == f"Dagster instance {root}/.dagster_home (make dev's for TAILOR_ENV=prod); env prod"
    )
    assert rows["merchandising"]["never_materialized"] == 0
    assert rows["merchandising"]["sample"] == "full"
    assert rows["client_insights"]["never_materialized"] == 4

    dev = f"Dagster instance {root}/.dagster_home/dev (make dev's for TAILOR_ENV=dev); env dev"
    for args, variables in ((["--env", "dev"], {}), ([], {"TAILOR_ENV": "dev"})):
        said, rows = status(root, *args, **variables)
        assert said == dev
        assert rows["client_insights"]["never_materialized"] == 0
        assert rows["client_insights"]["sample"] == "0.5"
        assert rows["merchandising"]["never_materialized"] == 4

    # an explicit --env wins over a DAGSTER_HOME left in the shell
    said, rows = status(root, "--env", "dev", DAGSTER_HOME=str(root / ".dagster_home"))
    assert said == dev
