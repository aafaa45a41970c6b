"""What an operator chooses for a deployment, and where it finds PostgreSQL and the lake.

Shared by everything ``tailor deploy`` renders and runs; the environment's names are the
root ``settings``' (the warehouse reads the same ones).
"""

from dataclasses import dataclass, field

from platform_lib.settings import (  # noqa: F401  (deploy's names for them)
    LAKE_ENV,
    PG_ENV,
    RUN_MEMORY_ENV,
)


@dataclass(frozen=True)
class DeploySettings:
    """What an operator chooses; every field has a flag on ``tailor deploy render``."""

    max_concurrent_runs: int = 10
    runs_per_team: int = 2
    run_retries: int = 2
    first_port: int = 4100
    # code servers run anyone's code on request: loopback unless they serve other hosts
    code_server_host: str = "127.0.0.1"
    webserver_host: str = "127.0.0.1"
    webserver_port: int = 3000
    # a queued run whose team's code server is unreachable waits this long before the next
    # try, and fails only after this many tries (Dagster's default fails it at once)
    code_server_retry_delay: int = 30
    code_server_retries: int = 20
    image: str = "tailor"
    image_tag: str = "latest"
    # the shared lake: its catalog database on the deployment's PostgreSQL, and where its
    # data files live (a shared folder or an object-store URL; empty: the single-host
    # profile's data/lake)
    lake_database: str = "tailor_lake"
    lake_data: str = ""
    # Kubernetes: the catalog's server as pods reach it (a flag's default is the first of
    # these variables that is set), and the ReadWriteMany claim a path --lake-data lives on
    lake_host: str = field(
        default="", metadata={"envvar": [LAKE_ENV["hostname"], PG_ENV["hostname"]]}
    )
    lake_port: int = field(default=5432, metadata={"envvar": [LAKE_ENV["port"], PG_ENV["port"]]})
    lake_volume_claim: str = ""
    # DuckDB's memory limit in each run pod (empty: a share of the pod's memory, see
    # docs/warehouse.md); the single-host profile's runs read the variable from its environment
    run_memory: str = field(default="", metadata={"envvar": [RUN_MEMORY_ENV]})
