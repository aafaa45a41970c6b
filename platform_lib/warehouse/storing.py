"""Storing one ``WriteRequest``: its frame, of any kind, becomes its asset's table in one
transaction of the team's lake (the person's sandbox in a dev run), signed, checked by the
request's ``before_commit`` and retried after another writer's commit; then the
materialization's metadata, read from the table written."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.warehouse.commits import commit_retrying
from platform_lib.warehouse.connection import default_connection, lake_connection
from platform_lib.warehouse.consumers import refuse_breaking_change
from platform_lib.warehouse.frames import FRAME
from platform_lib.warehouse.kinds import Kind
from platform_lib.warehouse.layout import TableLocation, in_sandbox, table_for
from platform_lib.warehouse.metadata import materialization_metadata
from platform_lib.warehouse.records import WriteInfo, sign_write
from platform_lib.warehouse.schema_changes import SchemaChange
from platform_lib.warehouse.text_values import refuse_text_only_values
from platform_lib.warehouse.write_request import WriteRequest
from platform_lib.warehouse.writes import last_version, rollback, write_frame

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb


def store(
    request: WriteRequest,
    log: logging.Logger,
    root: Path,
    team: str | None,
    wait_seconds: float,
) -> dict | None:
    """Write the request's frame as its asset's table in one transaction; its
    ``before_commit`` may veto it (see ``writes.write_frame``). Returns the metadata to
    record, or None when the write was vetoed and the previous contents stay current.
    ``log`` hears when the write is retried after another writer's commit."""
    label, frame, sample_by = request.label, request.frame, request.sample_by
    environment = RunEnvironment.current()
    location = table_for(request.asset_key, root)
    returned = request.refuse_unwritable(location, team)
    if environment.is_dev:  # the person's sandbox; production is never opened to write
        location = in_sandbox(location, environment.sandbox(location.team))

    info = WriteInfo(
        table=location.table,
        sample_by=sample_by,
        sample=environment.sampling.describe(),
        sample_seed=environment.sampling.seed,
        environment=environment.name,
        run_id=request.run_id,
        reads=dict(request.reads) or None,
    )
    changes: list[SchemaChange] = []

    def check_schema_change(change: SchemaChange) -> None:
        refuse_breaking_change(change, label, root, request.breaking_change_intended)
        changes[:] = [change]  # a retried write keeps only its last attempt's

    def sign_then_decide(connection: duckdb.DuckDBPyConnection, table: TableLocation):
        # in the same transaction: a veto below rolls the signature back with the table
        sign_write(connection, info, environment.user)
        return request.before_commit is None or request.before_commit(connection, table)

    def attempt() -> bool:  # a retry registers the frame again: a stream is read once
        returned.register(connection, scans=1 if request.partitions is None else 2)
        if returned.kind is Kind.PANDAS:
            refuse_text_only_values(connection, FRAME, frame, label, location.name)
        return write_frame(
            connection,
            location,
            request.partitions,
            label,
            sign_then_decide,
            check_schema_change,
        )

    # a relation of DuckDB's default connection (its lazy inputs') runs in its own
    # connection's write transaction, straight into the table
    default = default_connection() if returned.kind is Kind.RELATION else None
    on = default if default is not None and returned.runs_on(default) else None
    with lake_connection(
        location.lake, read_only=False, wait_seconds=wait_seconds, on=on
    ) as connection:
        with returned.failures_named(label, location.name):  # the query runs in the write
            committed = commit_retrying(
                location.lake,
                attempt,
                wait_seconds=wait_seconds,
                on_wait=lambda message: log.warning(f"{location.name}: {message}"),
            )
        if not committed:
            return None
        # one read transaction: each statement outside one would read the catalog anew
        connection.execute("BEGIN TRANSACTION")
        try:
            metadata = materialization_metadata(
                connection,
                location,
                last_version(connection),
                request.descriptions,
                partitions=request.partitions,
            )
        finally:
            rollback(connection)
    return {**metadata, **changes[0].metadata(), **environment.labels()}
