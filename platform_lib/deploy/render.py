"""``tailor deploy render``: the files an operator needs to run Tailor beyond one laptop.

From ``workspace.yaml``, and deterministic (the same workspace and settings give the same
bytes), it writes:

- ``workspace.yaml``: every team's code location as its own long-running gRPC code server
  (``dagster code-server start``), so one team's deploy or crash never restarts another's;
- ``dagster.yaml``: PostgreSQL for run, event-log and schedule storage (the connection from
  ``TAILOR_PG_*`` environment variables), the ``QueuedRunCoordinator`` with a global limit
  and a limit per team, and run retries (no pool limit: the lake takes a team's runs at once);
- ``supervisord.conf``: the single-host profile's processes (a code server per team, the
  daemon, the webserver) for Supervisor, which restarts each on its own if it dies;
- ``helm/values.yaml``, asked for with ``kubernetes=True`` (``tailor deploy render``, not
  the single-host profile): values for Dagster's official Helm chart, one user-code
  deployment per team on the shared lake (``platform_lib/deploy/helm.py``).
- ``lake/roles.sql``: the shared lake's roles, schemas and grants (``lake_roles.py``).

A run's team is the code location it was launched from: Dagster tags every run it launches
from a location with ``dagster/code_location``, and a team's location carries its name.
"""

from pathlib import Path

import yaml
from dagster._core.storage.tags import CODE_LOCATION_TAG  # set on every run from a location

from platform_lib.deploy.helm import helm_values
from platform_lib.deploy.lake_roles import roles_sql
from platform_lib.deploy.settings import PG_ENV, DeploySettings
from platform_lib.deploy.supervisor import supervisord_conf
from platform_lib.workspace.locations import CodeLocation

ROLES_FILE = "lake/roles.sql"


def render(
    locations: list[CodeLocation], settings: DeploySettings, kubernetes: bool = False
) -> dict[str, str]:
    """The files of the deployment, by path relative to the output folder; with
    ``kubernetes``, the Helm values too (which refuse a lake a pod cannot share)."""
    locations = sorted(locations, key=lambda location: location.name)
    ports = {location.name: settings.first_port + i for i, location in enumerate(locations)}
    helm = _helm_values_file(locations, ports, settings) if kubernetes else {}
    return {
        "workspace.yaml": _yaml(_grpc_workspace(locations, ports, settings.code_server_host)),
        "dagster.yaml": _yaml(_instance(locations, settings)),
        "supervisord.conf": supervisord_conf(locations, ports, settings),
        **helm,
        ROLES_FILE: roles_sql([location.name for location in locations]),
    }


def write(out: Path, files: dict[str, str]) -> list[Path]:
    """Write ``files`` under ``out``; returns the paths written."""
    written = []
    for relative, text in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written


def _grpc_workspace(locations, ports, host) -> dict:
    return {
        "load_from": [
            {"grpc_server": {"host": host, "port": ports[location.name],
                             "location_name": location.name}}
            for location in locations
        ]
    }  # fmt: skip


def _instance(locations: list[CodeLocation], settings: DeploySettings) -> dict:
    return {
        "storage": {"postgres": {"postgres_db": _postgres_db()}},
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
            "config": {
                "max_user_code_failure_retries": settings.code_server_retries,
                "user_code_failure_retry_delay": settings.code_server_retry_delay,
                "dequeue_use_threads": True,
            },
        },
        "run_monitoring": {  # a run whose worker never started fails, and is retried
            "enabled": True,
            "start_timeout_seconds": 180,
        },
        "run_retries": {
            "enabled": True,
            "max_retries": settings.run_retries,
            # a failed step is a bug or bad data; retry only what failed around it
            "retry_on_asset_or_op_failure": False,
        },
        "concurrency": {  # the queue's limits; no pool limit, a team's lake takes its runs at once
            "runs": {
                "max_concurrent_runs": settings.max_concurrent_runs,
                "tag_concurrency_limits": _team_limits(locations, settings),
            },
        },
        "telemetry": {"enabled": False},
    }


def _postgres_db() -> dict:
    # psycopg2 is dagster-postgres's driver: SQLAlchemy 2.1 would otherwise pick psycopg 3,
    # with which dagster-postgres cannot send its run-event notifications
    return {**{k: {"env": v} for k, v in PG_ENV.items()}, "scheme": "postgresql+psycopg2"}


def _team_limits(locations: list[CodeLocation], settings: DeploySettings) -> list[dict]:
    return [
        {"key": CODE_LOCATION_TAG, "value": location.name, "limit": settings.runs_per_team}
        for location in locations
    ]


def _helm_values_file(locations, ports, settings: DeploySettings) -> dict[str, str]:
    values = helm_values(locations, ports, settings, _team_limits(locations, settings))
    return {"helm/values.yaml": _yaml(values)}


def _yaml(document: dict) -> str:
    header = "# Rendered by `tailor deploy render` from workspace.yaml; do not edit by hand.\n"
    return header + yaml.safe_dump(document, sort_keys=False, default_flow_style=False)
