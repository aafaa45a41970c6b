"""`tailor deploy render`'s Helm values: the chart's shape, and every team's code server and
run pods on the shared lake as the team's role, with nothing kept on a pod's own disk."""

from pathlib import Path

import pytest
import yaml
from dagster._serdes import deserialize_value

from platform_lib.deploy.render import render as render_files
from platform_lib.deploy.settings import DeploySettings
from platform_lib.workspace.locations import read_workspace
from tests.deploy.helm_chart import UserDeployment, Values
from tests.deploy.rendering import TEAMS, invoke, render_here

# what the chart's k8sContainerContext (dagster-user-deployments/templates/helpers/
# _helpers.tpl) hands K8sRunLauncher for a deployment's run pods when
# includeConfigInLaunchedRuns is on: env (in its list form), envConfigMaps, envSecrets,
# volumes, volumeMounts (and labels, resources, schedulerName, which Tailor does not set)
PASSED_TO_RUN_PODS = {"env", "envConfigMaps", "envSecrets", "volumes", "volumeMounts"}


def deployments(values_yaml: str) -> dict[str, UserDeployment]:
    values = Values.parse(yaml.safe_load(values_yaml))
    return {d.name: d for d in values.user_deployments.deployments}


def environment(deployment: UserDeployment) -> dict[str, str | None]:
    return {variable.name: variable.value for variable in deployment.env}


def test_helm_values_have_the_charts_shape_with_one_deployment_per_team(rendered):
    values = Values.parse(yaml.safe_load(rendered["helm/values.yaml"]))
    deployments = values.user_deployments.deployments
    assert [d.name for d in deployments] == [t.replace("_", "-") for t in TEAMS]
    for deployment, team in zip(deployments, TEAMS, strict=True):
        assert deployment.codeServerArgs == ["-m", f"teams.{team}.definitions", "-a", "defs"]
        assert deployment.envSecrets[0].name == f"tailor-{team.replace('_', '-')}"
    coordinator = values.dagsterDaemon.runCoordinator
    assert coordinator.type == "QueuedRunCoordinator"
    limits = coordinator.config["queuedRunCoordinator"].tagConcurrencyLimits
    assert {limit.value: limit.limit for limit in limits} == dict.fromkeys(TEAMS, 3)
    assert not values.postgresql["enabled"]
    assert not values.dagsterDaemon.runRetries.retryOnAssetOrOpFailure  # as in dagster.yaml
    assert not values.telemetry.enabled  # as in dagster.yaml; it would log to $DAGSTER_HOME


def test_every_team_and_its_run_pods_reach_the_shared_lake_as_its_own_role(rendered):
    values = Values.parse(yaml.safe_load(rendered["helm/values.yaml"]))
    # K8sRunLauncher is the launcher that merges a deployment's container context into
    # its run pods; its own settings (envSecrets, envVars) would reach every team's runs,
    # so they carry no team's secret
    assert values.runLauncher.type == "K8sRunLauncher" and values.runLauncher.config is None
    for team, deployment in zip(TEAMS, values.user_deployments.deployments, strict=True):
        secret = f"tailor-{team.replace('_', '-')}"
        assert environment(deployment) | {"TAILOR_LAKE_PASSWORD": None} == {
            "TAILOR_LAKE_DATA": "s3://tailor-lake/prod",
            "TAILOR_LAKE_HOST": "pg.internal",
            "TAILOR_LAKE_PORT": "5432",
            "TAILOR_LAKE_DB": "tailor_lake",
            "TAILOR_LAKE_USER": f"tailor_{team}",
            "TAILOR_WAREHOUSE_DIR": "/scratch/warehouse",
            "TMPDIR": "/scratch",
            "TAILOR_LAKE_PASSWORD": None,
        }
        (password,) = [v for v in deployment.env if v.name == "TAILOR_LAKE_PASSWORD"]
        reference = password.valueFrom.secretKeyRef
        assert (reference.name, reference.key) == (secret, "TAILOR_LAKE_PASSWORD")
        assert [source.name for source in deployment.envSecrets] == [secret]  # S3 keys too
        # run pods inherit all of it: the chart passes these keys to K8sRunLauncher
        assert deployment.includeConfigInLaunchedRuns.enabled
        assert isinstance(deployment.env, list)  # the form the chart passes as such
        assert set(deployment.model_dump(exclude_none=True)) & PASSED_TO_RUN_PODS == {
            "env", "envSecrets", "volumes", "volumeMounts"
        }  # fmt: skip
        # the only writable folder is an emptyDir: DuckDB's spill, temp files, scratch
        assert [(v.name, v.emptyDir is not None) for v in deployment.volumes] == [("scratch", True)]
        assert [(m.name, m.mountPath) for m in deployment.volumeMounts] == [("scratch", "/scratch")]


def test_a_lake_on_a_shared_volume_is_mounted_where_its_path_says(tmp_path):
    files = render_here(
        tmp_path, "--lake-data", "/mnt/lake", "--lake-volume-claim", "tailor-lake",
        "--lake-host", "pg.internal", "--lake-port", "6432",
    )  # fmt: skip
    for deployment in deployments(files["helm/values.yaml"]).values():
        assert environment(deployment)["TAILOR_LAKE_DATA"] == "/mnt/lake"
        assert environment(deployment)["TAILOR_LAKE_PORT"] == "6432"
        (lake,) = [v for v in deployment.volumes if v.name == "lake"]
        assert lake.persistentVolumeClaim.claimName == "tailor-lake"
        assert ("lake", "/mnt/lake") in [(m.name, m.mountPath) for m in deployment.volumeMounts]


def test_the_catalog_server_defaults_to_the_lakes_then_the_deployments_postgresql(tmp_path):
    def host(**variables) -> str:
        out = tmp_path / str(len(list(tmp_path.iterdir())))
        files = render_here(out, "--lake-data", "s3://tailor-lake/prod", **variables)
        return {
            name: (environment(d)["TAILOR_LAKE_HOST"], environment(d)["TAILOR_LAKE_PORT"])
            for name, d in deployments(files["helm/values.yaml"]).items()
        }["styling"]

    assert host(TAILOR_PG_HOST="pg.internal", TAILOR_PG_PORT="5433") == ("pg.internal", "5433")
    both = {"TAILOR_PG_HOST": "pg.internal", "TAILOR_LAKE_HOST": "lake.internal"}
    assert host(**both) == ("lake.internal", "5432")


@pytest.mark.parametrize(
    ("flags", "message", "hint"),
    [
        ((), "the Helm values need the shared lake's data (--lake-data)",
         "give --lake-data s3://<bucket>/<prefix>"),
        (("--lake-data", "data/lake"), "--lake-data 'data/lake' is neither an object-store URL",
         "or the absolute path where --lake-volume-claim's volume is mounted"),
        (("--lake-data", "/mnt/lake"), "--lake-data '/mnt/lake' is a path, but no volume holds",
         "give --lake-volume-claim"),
        (("--lake-data", "s3://b/lake", "--lake-volume-claim", "c"),
         "--lake-volume-claim 'c' with --lake-data 's3://b/lake': an object store needs no volume",
         "drop --lake-volume-claim"),
        (("--lake-data", "s3://b/lake"), "the Helm values need the lake catalog's PostgreSQL",
         "give --lake-host <host as pods reach it>, or set TAILOR_LAKE_HOST or TAILOR_PG_HOST"),
    ],
)  # fmt: skip
def test_render_refuses_a_lake_pods_cannot_share_and_writes_nothing(tmp_path, flags, message, hint):
    result = invoke(tmp_path / "out", *flags)
    assert result.exit_code == 1
    error, hint_line = result.stderr.strip().splitlines()
    assert message in error and hint_line.startswith("  hint: ") and hint in hint_line
    assert not (tmp_path / "out").exists()


def test_the_single_host_profile_renders_no_helm_values_and_needs_no_shared_lake():
    # `tailor deploy up` renders without kubernetes: its lake may be a local folder
    files = render_files(read_workspace(), DeploySettings(lake_data="data/lake"))
    assert set(files) == {"workspace.yaml", "dagster.yaml", "supervisord.conf", "lake/roles.sql"}


def test_run_pods_get_the_memory_limit_of_the_flag_or_its_variable(tmp_path):
    def limits(*flags: str, **variables: str) -> set:
        out = tmp_path / str(len(list(tmp_path.iterdir())))
        files = render_here(
            out, "--lake-data", "s3://b/lake", "--lake-host", "pg", *flags, **variables
        )
        return {
            environment(d).get("TAILOR_RUN_MEMORY")
            for d in deployments(files["helm/values.yaml"]).values()
        }

    assert limits("--run-memory", "2GB") == {"2GB"}
    assert limits(TAILOR_RUN_MEMORY="3GiB") == {"3GiB"}
    assert limits() == {None}  # a share of the pod's memory


def test_flags_name_the_variables_they_default_to():
    text = " ".join(invoke(Path("unused"), "--help").output.split())
    assert "env var: TAILOR_LAKE_HOST, TAILOR_PG_HOST" in text
    assert "env var: TAILOR_LAKE_PORT, TAILOR_PG_PORT" in text


def test_a_run_pod_gets_the_lake_of_the_deployment_it_was_launched_from(styling_server):
    """The chain Kubernetes would run, but the cluster: the chart's container context reaches
    the code server, which hands it with every run; K8sRunLauncher builds the run's pod
    from it (dagster-k8s's own code, as its launcher calls it)."""
    from dagster_k8s.container_context import K8sContainerContext
    from dagster_k8s.job import DagsterK8sJobConfig, construct_dagster_k8s_job

    response = deserialize_value(styling_server.client.list_repositories())
    context = K8sContainerContext.create_from_config(response.container_context)
    args = ["dagster", "api", "execute_run", "{}"]
    job = construct_dagster_k8s_job(
        DagsterK8sJobConfig(job_image="tailor:3f9c2e1", dagster_home="/opt/dagster/dagster_home"),
        args, "dagster-run-1", user_defined_k8s_config=context.run_k8s_config,
    )  # fmt: skip
    pod = job.spec.template.spec
    (container,) = pod.containers
    env = {variable.name: variable for variable in container.env}
    assert env["TAILOR_LAKE_USER"].value == "tailor_styling"
    assert env["TAILOR_LAKE_DATA"].value == "s3://tailor-lake/prod"
    assert env["TAILOR_LAKE_HOST"].value == "pg.internal"
    password = env["TAILOR_LAKE_PASSWORD"].value_from.secret_key_ref
    assert (password.name, password.key) == ("tailor-styling", "TAILOR_LAKE_PASSWORD")
    assert "tailor-styling" in [s.secret_ref.name for s in container.env_from if s.secret_ref]
    assert [(m.name, m.mount_path) for m in container.volume_mounts] == [("scratch", "/scratch")]
    assert [(v.name, v.empty_dir is not None) for v in pod.volumes] == [("scratch", True)]
    # the launcher gives the run's command as args: the image's CMD is replaced, and an
    # ENTRYPOINT would have been put before it
    assert container.command is None and container.args == args
