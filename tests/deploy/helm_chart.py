"""The shape of Dagster's Helm chart values, for the keys Tailor sets.

Transcribed from the chart's own pydantic models, which generate its values.schema.json
(dagster-io/dagster, helm/dagster/schema/schema/charts/): dagster_user_deployments/subschema/
user_deployments.py (UserDeployment, UserDeploymentIncludeConfigInLaunchedRuns),
dagster/subschema/run_launcher.py (RunLauncher, RunLauncherType), daemon.py
(QueuedRunCoordinator's config, run retries) and telemetry.py, as of dagster 1.13. The
chart's Kubernetes types (EnvVar, Volume, VolumeMount, SecretEnvSource) point at the
Kubernetes API's own schema; the fields below are the API's. Unknown keys are refused here
even where the chart would ignore them, so a misspelt key fails the test instead of being
dropped silently by Helm.
"""

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PullPolicy(StrEnum):
    ALWAYS = "Always"
    IF_NOT_PRESENT = "IfNotPresent"
    NEVER = "Never"


class Image(Strict):
    repository: str
    tag: str | int | None = None
    pullPolicy: PullPolicy


class SecretKeySelector(Strict):
    name: str
    key: str
    optional: bool | None = None


class EnvVarSource(Strict):
    secretKeyRef: SecretKeySelector


class EnvVar(Strict):
    """Kubernetes' EnvVar: a value is a string, whatever it holds."""

    name: str
    value: str | None = None
    valueFrom: EnvVarSource | None = None


class SecretEnvSource(Strict):
    name: str
    optional: bool | None = None


class EmptyDirVolumeSource(Strict):
    medium: str | None = None
    sizeLimit: str | None = None


class PersistentVolumeClaimVolumeSource(Strict):
    claimName: str
    readOnly: bool | None = None


class Volume(Strict):
    name: str
    emptyDir: EmptyDirVolumeSource | None = None
    persistentVolumeClaim: PersistentVolumeClaimVolumeSource | None = None


class VolumeMount(Strict):
    name: str
    mountPath: str
    subPath: str | None = None
    readOnly: bool | None = None


class IncludeConfigInLaunchedRuns(Strict):
    enabled: bool


class UserDeployment(Strict):
    name: str
    image: Image
    dagsterApiGrpcArgs: list[str] | None = None
    codeServerArgs: list[str] | None = None
    includeConfigInLaunchedRuns: IncludeConfigInLaunchedRuns | None = None
    port: int
    env: dict[str, str] | list[EnvVar] | None = None
    envSecrets: list[SecretEnvSource] | None = None
    volumes: list[Volume] | None = None
    volumeMounts: list[VolumeMount] | None = None


class UserDeployments(Strict):
    enabled: bool
    deployments: list[UserDeployment]


class TagConcurrencyLimit(Strict):
    key: str
    value: str | None = None
    limit: int


class QueuedRunCoordinatorConfig(Strict):
    maxConcurrentRuns: int | None = None
    tagConcurrencyLimits: list[TagConcurrencyLimit] | None = None


class RunCoordinator(BaseModel):
    enabled: bool
    type: str
    config: dict[str, QueuedRunCoordinatorConfig]


class RunRetries(Strict):
    enabled: bool
    maxRetries: int
    retryOnAssetOrOpFailure: bool


class Daemon(BaseModel):
    runCoordinator: RunCoordinator
    runRetries: RunRetries


class RunLauncher(Strict):
    """The chart's RunLauncher; its ``config`` keeps the chart's defaults when not given."""

    type: Literal["CeleryK8sRunLauncher", "K8sRunLauncher", "CustomRunLauncher"]
    config: dict | None = None


class Telemetry(Strict):
    enabled: bool


class Values(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    user_deployments: UserDeployments
    postgresql: dict
    generatePostgresqlPasswordSecret: bool
    runLauncher: RunLauncher
    dagsterDaemon: Daemon
    telemetry: Telemetry

    @classmethod
    def parse(cls, values: dict) -> "Values":
        return cls(user_deployments=values.pop("dagster-user-deployments"), **values)
