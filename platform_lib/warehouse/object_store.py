"""A shared lake's data files on an object store: ``TAILOR_LAKE_DATA=s3://...``, ``gs://...``,
``az://...`` or ``abfss://...``.

DuckDB reaches the store through its ``httpfs`` extension (S3, and GCS through its S3-style
API with an HMAC key) or its ``azure`` extension, loaded from their packages like every
extension. The credentials come from the environment only, as an in-memory DuckDB secret
scoped to the data URL: nothing is read from or written to a credentials file.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from platform_lib.errors import WarehouseError
from platform_lib.settings import LAKE_ENV
from platform_lib.sql import quote_literal
from platform_lib.warehouse.extensions import load_extensions

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

KINDS = {"s3": "s3", "gs": "gcs", "gcs": "gcs", "az": "azure", "azure": "azure", "abfss": "azure"}
"""The URL schemes of object stores, and DuckDB's secret type for each."""

VARIABLES = {
    "s3": ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
           "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
    "gcs": ("GCS_HMAC_KEY_ID", "GCS_HMAC_SECRET"),
    "azure": ("AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_ACCOUNT"),
}  # fmt: skip
"""The environment variables each kind of store's secret is made from (docs/deployment.md)."""

REFUSED = re.compile(
    r"HTTP Error|HTTP code|HTTP (?:GET|PUT|HEAD|POST|DELETE) error|Could not establish "
    r"connection|Could not resolve hostname|AuthenticationFailed|AuthorizationFailure|"
    r"ContainerNotFound|Azure"
)
"""What DuckDB says when the store refused a request or could not be reached."""


@dataclass(frozen=True)
class ObjectStore:
    """The object store holding the lake's data files under ``url`` (ending in ``/``)."""

    url: str
    kind: str

    @classmethod
    def of(cls, data: str) -> ObjectStore | None:
        """The store of the data path ``data``; None for a folder."""
        if "://" not in data:
            return None
        scheme = data.split("://", 1)[0].lower()
        if scheme not in KINDS:
            raise WarehouseError(
                f"{LAKE_ENV['data']} is {data}, but {scheme}:// is no object store DuckDB "
                f"reaches: use {', '.join(f'{name}://' for name in KINDS)} or a folder's path."
            )
        return cls(data.rstrip("/") + "/", KINDS[scheme])

    @property
    def variables(self) -> tuple[str, ...]:
        return VARIABLES[self.kind]

    def prepare(
        self, connection: duckdb.DuckDBPyConnection, env: Mapping[str, str] | None = None
    ) -> None:
        """Load the store's extension into ``connection``'s instance and (re)make its secret
        from the environment, scoped to the data URL."""
        load_extensions(connection, ("azure",) if self.kind == "azure" else ("httpfs",))
        options = {"s3": _s3_options, "gcs": _gcs_options, "azure": _azure_options}[self.kind](
            self, os.environ if env is None else env
        )
        listed = ", ".join(f"{key} {value}" for key, value in options.items())
        name = f"tailor_store_{hashlib.sha256(self.url.encode()).hexdigest()[:16]}"
        connection.execute(
            f"CREATE OR REPLACE SECRET {name} (TYPE {self.kind}, {listed}, "
            f"SCOPE {quote_literal(self.url)})"
        )

    def refusal(self, error: BaseException, team: str) -> WarehouseError | None:
        """The error for the store refusing (a wrong credential, a missing bucket), naming the
        URL and the variables to fix; None for any other error."""
        if not REFUSED.search(str(error)):
            return None
        said = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
        return WarehouseError(
            f"The object store holding the lake's data files, {self.url}, refused a request "
            f"for team {team}'s lake: {said}. Nothing was written; check that the bucket (or "
            f"container) exists and that {', '.join(self.variables)} in this process's "
            "environment give access to it (docs/deployment.md, 'Object storage')."
        )

    def missing(self, names: str) -> WarehouseError:
        """The error for a variable the store's secret needs that is not set."""
        return WarehouseError(
            f"The lake's data files are at {self.url}, but {names} is not set in this "
            f"process's environment: set it (from the deployment's secret; "
            "docs/deployment.md, 'Object storage')."
        )


def _s3_options(store: ObjectStore, env: Mapping[str, str]) -> dict[str, str]:
    """KEY_ID, SECRET, SESSION_TOKEN, REGION and, for an S3-compatible endpoint
    (``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``), ENDPOINT, USE_SSL and URL_STYLE."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if not env.get(name):
            raise store.missing(name)
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    options = {
        "KEY_ID": quote_literal(env["AWS_ACCESS_KEY_ID"]),
        "SECRET": quote_literal(env["AWS_SECRET_ACCESS_KEY"]),
        "REGION": quote_literal(region),
    }
    if env.get("AWS_SESSION_TOKEN"):
        options["SESSION_TOKEN"] = quote_literal(env["AWS_SESSION_TOKEN"])
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        scheme, _, host = endpoint.rstrip("/").rpartition("://")
        options["ENDPOINT"] = quote_literal(host)
        options["USE_SSL"] = "false" if scheme == "http" else "true"
        options["URL_STYLE"] = "'path'"
    return options


def _gcs_options(store: ObjectStore, env: Mapping[str, str]) -> dict[str, str]:
    """GCS's HMAC key pair (its S3-style API)."""
    for name in ("GCS_HMAC_KEY_ID", "GCS_HMAC_SECRET"):
        if not env.get(name):
            raise store.missing(name)
    return {
        "KEY_ID": quote_literal(env["GCS_HMAC_KEY_ID"]),
        "SECRET": quote_literal(env["GCS_HMAC_SECRET"]),
    }


def _azure_options(store: ObjectStore, env: Mapping[str, str]) -> dict[str, str]:
    """A storage account's connection string, or its name and Azure's credential chain
    (managed identity, the environment's service principal, the CLI's login)."""
    if env.get("AZURE_STORAGE_CONNECTION_STRING"):
        return {"CONNECTION_STRING": quote_literal(env["AZURE_STORAGE_CONNECTION_STRING"])}
    if env.get("AZURE_STORAGE_ACCOUNT"):
        return {
            "PROVIDER": "credential_chain",
            "ACCOUNT_NAME": quote_literal(env["AZURE_STORAGE_ACCOUNT"]),
        }
    raise store.missing("AZURE_STORAGE_CONNECTION_STRING (or AZURE_STORAGE_ACCOUNT)")
