"""WarehouseIOManager: stores each asset's DataFrame as a table of its team's lake, or of the
person's sandbox in a dev run (see ``environment.run_environment``)."""

from __future__ import annotations

import logging
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from dagster import (
    ConfigurableIOManager,
    DagsterInvariantViolationError,
    InitResourceContext,
    InputContext,
    OutputContext,
)
from pydantic import Field, PrivateAttr, model_validator

from platform_lib.environment.as_of import AsOf
from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.environment.sampling import SAMPLE_BY
from platform_lib.errors import WarehouseError
from platform_lib.settings import warehouse_dir
from platform_lib.sql import table_exists
from platform_lib.warehouse.commits import LOCK_WAIT_SECONDS, commit_retrying
from platform_lib.warehouse.connection import lake_connection
from platform_lib.warehouse.consumers import (
    declared_reads,
    intended_breaks,
    refuse_breaking_change,
)
from platform_lib.warehouse.input_source import (
    input_location,
    input_sample,
    refuse_a_smaller_sample,
)
from platform_lib.warehouse.layout import (
    SCHEMA,
    TableLocation,
    in_sandbox,
    not_an_asset,
    schema_refusal,
    table_for,
)
from platform_lib.warehouse.metadata import materialization_metadata
from platform_lib.warehouse.missing_input import missing_input_for
from platform_lib.warehouse.partitions import PartitionSlice, partition_slice
from platform_lib.warehouse.past import Moment, resolve
from platform_lib.warehouse.reads import NoTable, holds_rows, sample_counts, select_rows
from platform_lib.warehouse.records import WriteInfo, sign_write, table_records
from platform_lib.warehouse.schema_changes import SchemaChange
from platform_lib.warehouse.text_values import refuse_text_only_values
from platform_lib.warehouse.write_request import WriteRequest
from platform_lib.warehouse.writes import (
    FRAME,
    last_version,
    register_frame,
    rollback,
    write_frame,
)

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb


WAREHOUSE_RESOURCE = "io_manager"
"""The resource key of the warehouse in every team's location (Dagster's default IO manager)."""


class WarehouseIOManager(ConfigurableIOManager):
    """Stores pandas DataFrames in the warehouse, a DuckLake lake per team: asset
    ``[team, name]`` is the table ``name`` of the team's lake, read as ``team.name``.

    Every write is one transaction and one snapshot (a version of the table, recorded in the
    materialization); a failed write leaves the previous table intact. Partitioned assets
    name their partition column with ``partition_expr`` metadata and replace only their
    partitions' rows; ``AssetIn(metadata={"columns": [...]})`` reads a subset of columns.
    In a dev run, writes go to the person's sandbox and reads prefer it, falling through to
    production (as it was at ``TAILOR_AS_OF``, when set); in sample mode, reads keep a sample
    by the table's ``sample_by`` key. Op outputs and a ``schema`` setting are refused.
    ``team_definitions`` attaches it to every team; a team never configures it by hand::

        defs = Definitions(assets=[...], resources={"io_manager": WarehouseIOManager()})
    """

    directory: str | None = None
    """The warehouse folder. Default: ``$TAILOR_WAREHOUSE_DIR``, else ``data/warehouse``."""

    team: str | None = None
    """The team whose code location this is; it may write only its own tables."""

    lock_wait_seconds: float = LOCK_WAIT_SECONDS
    """How long a write keeps retrying when other writers of its lake commit first."""

    _moments: dict[AsOf, Moment] = PrivateAttr(default_factory=dict)
    """The moment ``TAILOR_AS_OF`` names, found once a run (every input reads the same)."""

    schema_: str | None = Field(
        default=None, alias=SCHEMA, description="Refused: the team is the schema."
    )
    """Stock Dagster IO managers' table schema; refused, since the team is the schema."""

    @model_validator(mode="after")
    def _refuse_a_schema(self) -> WarehouseIOManager:
        if self.schema_ is not None:
            raise WarehouseError(schema_refusal("WarehouseIOManager", self.schema_, self.team))
        return self

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Check the run's environment before any work, and show it as run tags."""
        environment = RunEnvironment.current()
        if context.instance is not None and context.run is not None:
            context.instance.add_run_tags(context.run.run_id, environment.run_tags())

    def handle_output(self, context: OutputContext, obj: pd.DataFrame) -> None:
        if not context.has_asset_key:
            raise not_an_asset(f"Output {context.name!r} of op {context.op_def.name}")
        label, schema = context.asset_key.to_user_string(), context.definition_metadata.get(SCHEMA)
        if schema is not None:
            raise WarehouseError(schema_refusal(f"Asset {label}", schema, self.team))
        try:  # a run's step; an output context built by hand has none
            assets = context.step_context.assets_def
        except DagsterInvariantViolationError:
            assets = None
        request = WriteRequest(
            asset_key=context.asset_key,
            frame=obj,
            run_id=context.run_id,
            partitions=partition_slice(context, label),
            sample_by=(context.definition_metadata or {}).get(SAMPLE_BY),
            reads=declared_reads(assets),
            breaking_change_intended=intended_breaks(context.definition_metadata, label),
        )
        context.add_output_metadata(self.store(request, context.log))

    def store(self, request: WriteRequest, log: logging.Logger) -> dict | None:
        """Write the request's frame as its asset's table in one transaction; its
        ``before_commit`` may veto it (see ``writes.write_frame``). Returns the metadata to
        record, or None when the write was vetoed and the previous contents stay current.
        ``log`` hears when the write is retried after another writer's commit."""
        label, frame, sample_by = request.label, request.frame, request.sample_by
        environment = RunEnvironment.current()
        location = table_for(request.asset_key, self._root())
        request.refuse_unwritable(location, self.team)
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
            refuse_breaking_change(change, label, self._root(), request.breaking_change_intended)
            changes[:] = [change]  # a retried write keeps only its last attempt's

        def sign_then_decide(connection: duckdb.DuckDBPyConnection, table: TableLocation):
            # in the same transaction: a veto below rolls the signature back with the table
            sign_write(connection, info, environment.user)
            return request.before_commit is None or request.before_commit(connection, table)

        with self._connection(location, read_only=False) as connection:
            register_frame(connection, frame)
            refuse_text_only_values(connection, FRAME, frame, label, location.name)
            committed = commit_retrying(
                location.lake,
                lambda: write_frame(
                    connection,
                    location,
                    request.partitions,
                    label,
                    sign_then_decide,
                    check_schema_change,
                ),
                wait_seconds=self.lock_wait_seconds,
                on_wait=lambda message: log.warning(f"{location.name}: {message}"),
            )
            if not committed:
                return None
            # one read transaction: each statement outside one would read the catalog anew
            connection.execute("BEGIN TRANSACTION")
            try:
                metadata = materialization_metadata(
                    connection,
                    FRAME,
                    frame,
                    location,
                    last_version(connection),
                    request.descriptions,
                    partitioned=request.partitions is not None,
                )
            finally:
                rollback(connection)
        return {**metadata, **changes[0].metadata(), **environment.labels()}

    def load_input(self, context: InputContext) -> pd.DataFrame:
        if not context.has_asset_key:
            raise not_an_asset(f"Input {context.name!r} of op {context.op_def.name}")
        label = context.asset_key.to_user_string()
        environment = RunEnvironment.current()
        columns = list((context.definition_metadata or {}).get("columns") or []) or None
        table = table_for(context.asset_key, self._root())
        if context.has_asset_partitions and not context.asset_partition_keys:
            # mapped to no partition: the first partition of an asset reading the one before
            return self._no_rows(context, label, table, environment, columns)
        partitions = partition_slice(context, label)
        location = self._source(context, table, environment, partitions)
        if not location.lake.exists():
            raise missing_input_for(context, label, location, self._root())
        try:
            with self._connection(location, read_only=True) as connection:
                conditions = [partitions.predicate] if partitions is not None else []
                # the catalog matters only to a sampled read, or to a read of a sandbox table
                needed = environment.sampling.fraction_for(label) or location.sandbox
                record = table_records(connection).get(location.table) if needed else None
                sample = input_sample(label, record, environment)
                if location.sandbox and record is not None:
                    refuse_a_smaller_sample(label, location, record, environment, sample.fraction)
                if sample.key:
                    conditions.append(sample.condition)
                frame = select_rows(connection, location, columns, conditions, label)
                if sample.key:
                    kept, whole = sample_counts(connection, location, sample.key, conditions, frame)
                    thin = environment.sampling.thin_sample_warning(label, sample.key, kept, whole)
                    if thin:
                        context.log.warning(thin)
        except NoTable as error:  # told once the table's lake is detached again
            raise missing_input_for(context, label, location, self._root()) from error.__cause__
        past = (
            f" as of {environment.as_of.says()} (version {location.version})"
            if location.version is not None
            else ""
        )
        context.log.info(
            f"Read {label} from {location.name}{past}{sample.describe()}: {len(frame)} rows"
        )
        return frame

    def _source(
        self,
        context: InputContext,
        location: TableLocation,
        environment: RunEnvironment,
        partitions: PartitionSlice | None,
    ) -> TableLocation:
        """Where a read finds the table (``input_source.input_location``); a partitioned read
        finds it in the sandbox only when the sandbox holds rows of the partitions read."""

        def holds(sandboxed: TableLocation) -> bool:
            with self._connection(sandboxed, read_only=True) as connection:
                return table_exists(connection, sandboxed.table) and (
                    partitions is None or holds_rows(connection, sandboxed, partitions)
                )

        def version_then(production: TableLocation) -> int:
            label = context.asset_key.to_user_string()
            if not production.lake.exists():
                raise self._missing(context, label, production)
            if environment.as_of not in self._moments:
                self._moments[environment.as_of] = resolve(environment.as_of, self._root())
            moment = self._moments[environment.as_of]
            return moment.version_of(production.team, production.lake, label)

        return input_location(location, environment, holds, version_then)

    def _no_rows(
        self,
        context: InputContext,
        label: str,
        table: TableLocation,
        environment: RunEnvironment,
        columns: list[str] | None,
    ) -> pd.DataFrame:
        """An input that maps to no partition reads no rows: the table's columns when it
        exists (those read), else only the columns read, if any."""
        location = self._source(context, table, environment, None)
        if location.lake.exists():
            with suppress(NoTable), self._connection(location, read_only=True) as connection:
                return select_rows(connection, location, columns, [("FALSE", [])], label)
        return pd.DataFrame(columns=columns or [])

    def _connection(self, location: TableLocation, *, read_only: bool):
        return lake_connection(
            location.lake,
            read_only=read_only,
            version=location.version,
            wait_seconds=self.lock_wait_seconds,
        )

    def _root(self) -> Path:
        return Path(self.directory) if self.directory else warehouse_dir()
