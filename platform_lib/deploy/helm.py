"""``helm/values.yaml``: values for Dagster's official Helm chart (``dagster/dagster``).

One user-code deployment per team: its image, the code server's module, and the team's
environment. Pods share no disk, so every team's pods reach the shared lake
(docs/deployment.md): the data at ``TAILOR_LAKE_DATA`` (an object-store URL, or a path on a
volume every pod mounts), the catalog in PostgreSQL as the team's role, whose password comes
from the team's secret ``tailor-<team>``. ``includeConfigInLaunchedRuns`` makes the chart
pass the deployment's environment, secrets and volumes to every run pod ``K8sRunLauncher``
launches from it; the run launcher's own settings, shared by every team, carry none.

What still writes to a pod's disk goes to an ``emptyDir`` at ``/scratch``, the image's
working folder: DuckDB's spill files (``.tmp`` in the working folder), Python's temporary
files and the warehouse folder; no table is kept there.
"""

from platform_lib.deploy.settings import LAKE_ENV, RUN_MEMORY_ENV, DeploySettings
from platform_lib.errors import TailorError
from platform_lib.settings import WAREHOUSE_ENV
from platform_lib.workspace.locations import CodeLocation

OBJECT_STORES = ("s3://", "gs://", "az://")
"""The object stores the shared lake's data can live in (DuckDB's httpfs and azure)."""
SCRATCH = "/scratch"
"""The pods' only writable folder, an ``emptyDir``; the Dockerfile's ``WORKDIR``."""
SCRATCH_VOLUME, LAKE_VOLUME = "scratch", "lake"
PASSWORD_KEY = LAKE_ENV["password"]
"""The key of the team's secret that holds its role's password."""


class KubernetesSettingsError(TailorError):
    """The settings cannot make Helm values whose pods keep their tables."""


def helm_values(
    locations: list[CodeLocation], ports: dict[str, int], settings: DeploySettings,
    team_limits: list[dict],
) -> dict:  # fmt: skip
    """The chart's values: a deployment per team, the queue's limits, run retries."""
    check_lake(settings)
    return {
        "dagster-user-deployments": {
            "enabled": True,
            "deployments": [
                _deployment(location, ports[location.name], settings) for location in locations
            ],
        },
        "postgresql": {"enabled": False},
        "generatePostgresqlPasswordSecret": False,
        # the launcher that takes each deployment's container context into its run pods
        "runLauncher": {"type": "K8sRunLauncher"},
        "dagsterDaemon": {
            "runCoordinator": {
                "enabled": True,
                "type": "QueuedRunCoordinator",
                "config": {
                    "queuedRunCoordinator": {
                        "maxConcurrentRuns": settings.max_concurrent_runs,
                        "tagConcurrencyLimits": team_limits,
                    }
                },
            },
            "runRetries": {
                "enabled": True,
                "maxRetries": settings.run_retries,
                "retryOnAssetOrOpFailure": False,
            },
        },
        "telemetry": {"enabled": False},  # as dagster.yaml: nothing logged to $DAGSTER_HOME
    }


def check_lake(settings: DeploySettings) -> None:
    """Refuse a lake a pod would keep on its own disk, or whose catalog it cannot find."""
    data, claim = settings.lake_data, settings.lake_volume_claim
    if not data:
        raise KubernetesSettingsError(
            "the Helm values need the shared lake's data (--lake-data): pods share no disk",
            "give --lake-data s3://<bucket>/<prefix> (or gs://, az://), or an absolute path "
            "with --lake-volume-claim <a ReadWriteMany PersistentVolumeClaim>",
        )
    if data.startswith(OBJECT_STORES):
        if claim:
            raise KubernetesSettingsError(
                f"--lake-volume-claim {claim!r} with --lake-data {data!r}: an object store "
                "needs no volume", "drop --lake-volume-claim, or give a path on that volume"
            )  # fmt: skip
    elif not data.startswith("/"):
        raise KubernetesSettingsError(
            f"--lake-data {data!r} is neither an object-store URL nor an absolute path",
            "give s3://<bucket>/<prefix> (or gs://, az://), or the absolute path where "
            "--lake-volume-claim's volume is mounted",
        )
    elif not claim:
        raise KubernetesSettingsError(
            f"--lake-data {data!r} is a path, but no volume holds it: each pod would keep "
            "its tables on its own disk",
            "give --lake-volume-claim <a ReadWriteMany PersistentVolumeClaim>, mounted there",
        )
    if not settings.lake_host:
        raise KubernetesSettingsError(
            "the Helm values need the lake catalog's PostgreSQL server (--lake-host)",
            "give --lake-host <host as pods reach it>, or set TAILOR_LAKE_HOST or TAILOR_PG_HOST",
        )


def secret_name(team: str) -> str:
    """The team's Kubernetes secret (its role's password, object-store credentials)."""
    return f"tailor-{_kubernetes_name(team)}"


def _deployment(location: CodeLocation, port: int, settings: DeploySettings) -> dict:
    volumes = [{"name": SCRATCH_VOLUME, "emptyDir": {}}]
    mounts = [{"name": SCRATCH_VOLUME, "mountPath": SCRATCH}]
    if settings.lake_volume_claim:
        volumes.append(
            {"name": LAKE_VOLUME,
             "persistentVolumeClaim": {"claimName": settings.lake_volume_claim}}
        )  # fmt: skip
        mounts.append({"name": LAKE_VOLUME, "mountPath": settings.lake_data})
    return {
        "name": _kubernetes_name(location.name),
        "image": {
            "repository": settings.image,
            "tag": settings.image_tag,
            "pullPolicy": "IfNotPresent",
        },
        "codeServerArgs": ["-m", location.module, "-a", location.attribute],
        "port": port,
        "env": _environment(location.name, settings),
        "envSecrets": [{"name": secret_name(location.name)}],
        # run pods get this deployment's env, envSecrets, volumes and volumeMounts
        "includeConfigInLaunchedRuns": {"enabled": True},
        "volumes": volumes,
        "volumeMounts": mounts,
    }


def _environment(team: str, settings: DeploySettings) -> list[dict]:
    values = {
        LAKE_ENV["data"]: settings.lake_data,
        LAKE_ENV["hostname"]: settings.lake_host,
        LAKE_ENV["port"]: str(settings.lake_port),
        LAKE_ENV["db_name"]: settings.lake_database,
        LAKE_ENV["username"]: f"tailor_{team}",
        WAREHOUSE_ENV: f"{SCRATCH}/warehouse",
        "TMPDIR": SCRATCH,  # where DuckDB spills, among other temporary files
        **({RUN_MEMORY_ENV: settings.run_memory} if settings.run_memory else {}),
    }
    password = {"secretKeyRef": {"name": secret_name(team), "key": PASSWORD_KEY}}
    return [
        *({"name": name, "value": value} for name, value in values.items()),
        {"name": PASSWORD_KEY, "valueFrom": password},  # a missing key stops the pod, named
    ]


def _kubernetes_name(team: str) -> str:
    return team.replace("_", "-")
