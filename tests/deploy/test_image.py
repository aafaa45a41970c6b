"""The Dockerfile of the image the Helm values name. No base image can be pulled here, so the
file is read as Docker reads it (dockerfile-parse), and its command is run on this machine
as the image would run it: the install step is the Makefile's, the user is not root, and
the command starts a team's code server."""

import json
import os
import re
import shlex
import tomllib

import pytest
import yaml
from dagster._serdes import deserialize_value
from dockerfile_parse import DockerfileParser

from platform_lib.deploy.helm import SCRATCH
from platform_lib.deploy.settings import DeploySettings
from platform_lib.settings import REPO_ROOT
from tests.conftest import unused_port
from tests.deploy import image_server
from tests.deploy.rendering import LAKE, render_here


@pytest.fixture(scope="module")
def dockerfile() -> DockerfileParser:
    return image_server.dockerfile()


def instructions(dockerfile: DockerfileParser, name: str) -> list[str]:
    return [i["value"] for i in dockerfile.structure if i["instruction"] == name]


def test_the_image_installs_the_project_with_the_makefiles_own_step(dockerfile):
    assert dockerfile.baseimage.startswith("python:3.11")  # pyproject.toml's Python
    runs = instructions(dockerfile, "RUN")
    assert [run for run in runs if "make install" in run] == ["make install"]
    assert not [run for run in runs if "pip" in run]  # no second copy of the install
    assert instructions(dockerfile, "COPY") == [". ."]  # the repository, as make sees it
    # what make install installs: the project, with the DuckDB extension packages pinned to
    # DuckDB's own version (the lake loads them from the packages, never downloads them)
    dependencies = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    pins = dict(d.split("==") for d in dependencies["dependencies"] if "==" in d)
    extensions = {name for name in pins if name.startswith("duckdb-extension-")}
    assert {"ducklake", "sqlite-scanner", "postgres-scanner", "httpfs", "azure"} <= {
        name.removeprefix("duckdb-extension-") for name in extensions
    }
    assert {pins[name] for name in extensions} == {pins["duckdb"]}


def test_the_image_runs_as_a_user_that_is_not_root_from_the_scratch_folder(dockerfile):
    kinds = [i["instruction"] for i in dockerfile.structure if i["instruction"] != "COMMENT"]
    user = instructions(dockerfile, "USER")
    assert len(user) == 1 and user[0].split(":")[0] not in ("0", "root")
    assert user[0].split(":")[0].isdigit()  # numeric: Kubernetes' runAsNonRoot can check it
    # the user is switched to after every install step, before the command
    assert kinds.index("USER") > max(i for i, kind in enumerate(kinds) if kind == "RUN")
    assert kinds.index("USER") < kinds.index("CMD")
    # its working folder is the Helm values' emptyDir, where DuckDB spills: DuckDB's spill
    # folder is relative, so in the image it is under /scratch
    assert instructions(dockerfile, "WORKDIR")[-1] == SCRATCH
    import duckdb

    spill = duckdb.connect().sql("SELECT current_setting('temp_directory')").fetchone()[0]
    assert not os.path.isabs(spill)


def test_the_command_is_the_charts_and_the_chart_can_replace_it(dockerfile):
    assert "ENTRYPOINT" not in [i["instruction"] for i in dockerfile.structure]
    command = json.loads(dockerfile.cmd) if dockerfile.cmd.startswith("[") else None
    assert command[:2] == ["sh", "-c"] and image_server.CHART_SERVES in command[2]
    assert instructions(dockerfile, "EXPOSE") == ["4000"]


def test_the_command_serves_the_team_module_it_is_given(styling_server):
    assert styling_server.client.health_check_query() == "SERVING"
    response = deserialize_value(styling_server.client.list_repositories())
    (pointer,) = response.repository_code_pointer_dict.values()
    assert (pointer.module, pointer.fn_name) == ("teams.styling.definitions", "defs")
    assert not list(styling_server.scratch.iterdir())  # loading wrote nothing to its folder


def test_the_command_without_a_module_says_what_to_set(dockerfile, tmp_path):
    server = image_server.start(tmp_path / "scratch", unused_port())
    assert server.wait(timeout=60) != 0
    output = (tmp_path / "output.log").read_text()
    assert "TAILOR_CODE_MODULE: the team module to serve" in output


def image_command(dockerfile: DockerfileParser, module: str) -> str:
    """The command the image's CMD runs for a team's module."""
    script = json.loads(dockerfile.cmd)[2].removeprefix("exec ")
    return re.sub(r'"\$\{TAILOR_CODE_MODULE:\?[^}]*\}"', module, script)


def test_the_docs_build_and_tag_the_image_the_helm_values_name(dockerfile, tmp_path):
    image = DeploySettings().image
    header = " ".join(i["value"] for i in dockerfile.structure if i["instruction"] == "COMMENT")
    assert f"docker build -t {image}:$(git rev-parse --short HEAD) ." in header
    assert "tailor deploy render --image-tag $(git rev-parse --short HEAD)" in header
    values = yaml.safe_load(
        render_here(tmp_path, *LAKE, "--image-tag", "3f9c2e1")["helm/values.yaml"]
    )
    for deployment in values["dagster-user-deployments"]["deployments"]:
        assert deployment["image"] == {
            "repository": image, "tag": "3f9c2e1", "pullPolicy": "IfNotPresent"
        }  # fmt: skip
        # the chart's command for a team is the image's, with the team's module
        chart = f"{image_server.CHART_SERVES} {shlex.join(deployment['codeServerArgs'])}"
        module = deployment["codeServerArgs"][1]
        assert image_command(dockerfile, module) == chart


def test_docker_build_sends_no_local_environment_or_data():
    ignored = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    assert {".venv", "data", ".dagster_home", "deploy", ".git"} <= set(ignored)
