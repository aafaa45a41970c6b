"""WarehouseIOManager: stores what each asset returns (pandas, polars, Arrow, or a lazy DuckDB
relation or polars LazyFrame) as a table of its team's lake, or of the person's sandbox in a
dev run (see ``environment.run_environment``); loads each input as its annotation asks."""

from __future__ import annotations

import logging
from contextlib import suppress
from pathlib import Path
from typing import Any

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
from platform_lib.warehouse.commits import LOCK_WAIT_SECONDS
from platform_lib.warehouse.connection import default_connection, lake_connection, limited_run
from platform_lib.warehouse.consumers import (
    declared_reads,
    intended_breaks,
)
from platform_lib.warehouse.input_source import (
    input_location,
    input_sample,
    refuse_a_smaller_sample,
)
from platform_lib.warehouse.kinds import Kind, kind_to_load, load_as, no_rows_as
from platform_lib.warehouse.layout import (
    SCHEMA,
    TableLocation,
    not_an_asset,
    schema_refusal,
    table_for,
)
from platform_lib.warehouse.lazy_reads import LazyReads
from platform_lib.warehouse.missing_input import missing_input_for
from platform_lib.warehouse.partitions import PartitionSlice, partition_slice
from platform_lib.warehouse.past import Moment, resolve
from platform_lib.warehouse.reads import (
    NoTable,
    holds_rows,
    sample_counts,
    select_rows,
    selection,
    table_read,
)
from platform_lib.warehouse.records import table_records
from platform_lib.warehouse.storing import store
from platform_lib.warehouse.write_request import WriteRequest

WAREHOUSE_RESOURCE = "io_manager"
"""The resource key of the warehouse in every team's location (Dagster's default IO manager)."""


class WarehouseIOManager(ConfigurableIOManager):
    """Stores tables in the warehouse, a DuckLake lake per team: asset ``[team, name]`` is
    the table ``name`` of the team's lake, read as ``team.name``. An input is loaded as its
    annotation names (``kinds.Kind``: pandas by default, polars, Arrow, or lazily as a DuckDB
    relation or polars LazyFrame); what an asset returns is stored whatever its kind, a lazy
    one run inside the write transaction.

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

    memory_limit: str | None = None
    """DuckDB's memory limit for the run (``4GB``); default ``$TAILOR_RUN_MEMORY``, else a
    share of the host's memory (``warehouse.memory``)."""

    _moments: dict[AsOf, Moment] = PrivateAttr(default_factory=dict)
    """The moment ``TAILOR_AS_OF`` names, found once a run (every input reads the same)."""

    _lazy: LazyReads = PrivateAttr(default_factory=LazyReads)
    """The lakes the current step's lazy inputs read, attached until the step ends."""

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
        """Check the run's environment before any work, set its memory limit, and show
        both as run tags."""
        environment = RunEnvironment.current()
        memory = limited_run(context.run and context.run.run_id, self.memory_limit, context.log)
        if context.instance is not None and context.run is not None:
            context.instance.add_run_tags(context.run.run_id, environment.run_tags() | memory)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """Detach the lakes lazy inputs read; a limit of the run's own ends with it."""
        self._lazy.close()
        if self.memory_limit:
            limited_run(None, None)

    def handle_output(self, context: OutputContext, obj: Any) -> None:
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
        """Write the request's frame as its asset's table in one transaction (``storing``);
        its ``before_commit`` may veto it. Returns the metadata to record, or None when vetoed
        (the table unchanged). A failed or vetoed write ends the step: its lazy reads close.
        ``log`` hears when the write is retried after another writer's commit."""
        with self._lazy.closed_on_failure():
            metadata = store(request, log, self._root(), self.team, self.lock_wait_seconds)
        return metadata if metadata is not None else self._lazy.close()

    def load_input(self, context: InputContext) -> Any:
        if not context.has_asset_key:
            raise not_an_asset(f"Input {context.name!r} of op {context.op_def.name}")
        label = context.asset_key.to_user_string()
        environment = RunEnvironment.current()
        columns = list((context.definition_metadata or {}).get("columns") or []) or None
        table = table_for(context.asset_key, self._root())
        kind = kind_to_load(_annotation_of(context))
        if context.has_asset_partitions and not context.asset_partition_keys:
            # mapped to no partition: the first partition of an asset reading the one before
            return self._no_rows(context, label, table, environment, columns, kind)
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
                if kind.lazy:
                    lazy = self._lazy.relation if kind is Kind.RELATION else self._lazy.lazy_frame
                    with self._lazy.closed_on_failure(), table_read(location, columns, label):
                        step, wait = _step_of(context), self.lock_wait_seconds
                        rows = self._lazy.rows(step, location, selection(columns), conditions, wait)
                        frame = lazy(*rows)
                else:
                    reader = _reader_of(context)
                    frame = select_rows(
                        connection, location, columns, conditions, label, kind, reader
                    )
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
        rows = "read as its query runs" if kind.lazy else f"{len(frame)} rows"
        context.log.info(f"Read {label} from {location.name}{past}{sample.describe()}: {rows}")
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
        kind: Kind,
    ) -> Any:
        """An input that maps to no partition reads no rows: the table's columns when it
        exists (those read), else only the columns read, if any."""
        from_df = default_connection().from_df
        location = self._source(context, table, environment, None)
        if location.lake.exists():
            with suppress(NoTable), self._connection(location, read_only=True) as connection:
                empty = select_rows(connection, location, columns, [("FALSE", [])], label)
                return empty if kind is Kind.PANDAS else load_as(from_df(empty), kind)
        return no_rows_as(columns or [], kind)

    def _connection(self, location: TableLocation, *, read_only: bool, on=None):
        return lake_connection(
            location.lake,
            read_only=read_only,
            version=location.version,
            wait_seconds=self.lock_wait_seconds,
            on=on,
        )

    def _root(self) -> Path:
        return Path(self.directory) if self.directory else warehouse_dir()


def _reader_of(context: InputContext) -> str | None:
    """The asset reading an input (a multi-asset's op); None for an input context built by
    hand."""
    with suppress(DagsterInvariantViolationError):
        keys = list(getattr(context.step_context.assets_def, "keys", []))
        return keys[0].to_user_string() if len(keys) == 1 else context.op_def.name
    return None


def _step_of(context: InputContext) -> str:
    """The run step reading an input; an input context built by hand has none."""
    try:
        step = context.step_context
    except DagsterInvariantViolationError:
        return ""
    return f"{step.run_id}/{step.step.key}"


def _annotation_of(context: InputContext) -> Any:
    """The type an input is annotated with; None for an input context built by hand."""
    try:
        return context.dagster_type.typing_type
    except DagsterInvariantViolationError:
        return None
