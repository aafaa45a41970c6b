"""The image's command run on this machine, as the chart runs it for a team's deployment.

No base image can be pulled here, so the Dockerfile's ``CMD`` runs on this machine: in its
own process group, on loopback and a free port, with the image's PATH (the project's
environment), from an empty working folder; with the container context the chart hands
a deployment's code server (``DAGSTER_CONTAINER_CONTEXT``), transcribed from the chart's
``dagsterUserDeployments.k8sContainerContext`` (dagster-io/dagster, helm/dagster/charts/
dagster-user-deployments/templates/helpers/_helpers.tpl) for a release ``tailor`` in the
namespace ``dagster``.
"""

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dagster._grpc.client import DagsterGrpcClient
from dockerfile_parse import DockerfileParser

from platform_lib.settings import REPO_ROOT

CHART_SERVES = "dagster code-server start -h 0.0.0.0 -p 4000"
"""How the chart starts a deployment's code server, before its codeServerArgs
(dagster-user-deployments/templates/deployment-user.yaml), on the image's port."""
RELEASE = "tailor-dagster"  # the chart's fullname for `helm install tailor dagster/dagster`


def dockerfile() -> DockerfileParser:
    return DockerfileParser(str(REPO_ROOT / "Dockerfile"))


def chart_code_server_environment(deployment: dict) -> dict[str, str]:
    """What the chart tells a deployment's code server to hand the runs it launches: its
    container context, unless ``includeConfigInLaunchedRuns`` is off (on by default)."""
    if not deployment.get("includeConfigInLaunchedRuns", {"enabled": True})["enabled"]:
        return {}
    return {"DAGSTER_CONTAINER_CONTEXT": json.dumps(_container_context(deployment))}


def _container_context(deployment: dict) -> dict:
    k8s = {
        "image_pull_policy": deployment["image"]["pullPolicy"],
        "env_config_maps": [f"{RELEASE}-{deployment['name']}-user-env"],
    }
    if deployment.get("envSecrets"):
        k8s["env_secrets"] = [secret["name"] for secret in deployment["envSecrets"]]
    for key, name in (("volumeMounts", "volume_mounts"), ("volumes", "volumes")):
        if deployment.get(key):
            k8s[name] = deployment[key]
    k8s |= {"namespace": "dagster", "service_account_name": f"{RELEASE}-user-deployments"}
    if isinstance(deployment.get("env"), list):
        k8s["env"] = deployment["env"]
    return {"k8s": k8s}


def _dies_with_this_process() -> None:
    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def start(cwd: Path, port: int, **variables: str) -> subprocess.Popen:
    """The image's command; its output in ``cwd``'s sibling ``output.log``."""
    script = json.loads(dockerfile().cmd)[2]
    assert CHART_SERVES in script
    script = script.replace("-h 0.0.0.0 -p 4000", f"-h 127.0.0.1 -p {port}")
    env = {k: v for k, v in os.environ.items() if k != "TAILOR_CODE_MODULE"} | variables
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    cwd.mkdir()
    with open(cwd.parent / "output.log", "w") as output:
        return subprocess.Popen(
            ["sh", "-c", script], env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
            preexec_fn=_dies_with_this_process, start_new_session=True,
        )  # fmt: skip


def wait_until_serving(server: subprocess.Popen, port: int, log: Path) -> DagsterGrpcClient:
    """Poll until the server answers (it loads the team's code first), or fail on its exit."""
    client = DagsterGrpcClient(port=port, host="127.0.0.1")
    deadline = time.monotonic() + 120
    while True:
        try:
            client.ping("tailor")
            return client
        except Exception:  # not listening yet
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "no code server answered in 120 s"
            time.sleep(0.2)


def stop(server: subprocess.Popen) -> None:
    """The server and the process it loads the code in."""
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
