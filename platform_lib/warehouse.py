"""WarehouseIOManager: stores each asset's DataFrame as a table of its team's database."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from dagster import AssetExecutionContext, ConfigurableIOManager, InputContext, OutputContext

from platform_lib.duckdb_connection import LOCK_WAIT_SECONDS, warehouse_connection
from platform_lib.errors import WarehouseError
from platform_lib.partition_slice import PartitionSlice, partition_slice
from platform_lib.settings import warehouse_dir
from platform_lib.sql import quote_identifier
from platform_lib.table_metadata import database_size, materialization_metadata
from platform_lib.table_writes import FRAME, BeforeCommit, write_frame
from platform_lib.warehouse_layout import TableLocation, table_for

if TYPE_CHECKING:  # duckdb is imported when a run needs it, not at load
    pass


class WarehouseIOManager(ConfigurableIOManager):
    """Stores pandas DataFrames in the DuckDB warehouse: asset ``[team, name]`` is the table
    ``name`` of ``<warehouse>/<team>.duckdb``, read as ``team.name``.

    Every write is one transaction, so a failed write leaves the previous table intact.
    Partitioned assets name their partition column with ``partition_expr`` metadata and
    replace only their partitions' rows. Reads open the database read-only; a downstream
    asset can read a subset of columns with ``AssetIn(metadata={"columns": [...]})``.
    ``team_definitions`` attaches it to every team; a team never configures it by hand::

        defs = Definitions(assets=[...], resources={"io_manager": WarehouseIOManager()})
    """

    directory: str | None = None
    """The warehouse folder. Default: ``$TAILOR_WAREHOUSE_DIR``, else ``data/warehouse``."""

    team: str | None = None
    """The team whose code location this is; it may write only its own tables."""

    lock_wait_seconds: float = LOCK_WAIT_SECONDS
    """How long a read or write waits for another process to release a database."""

    def handle_output(self, context: OutputContext, obj: pd.DataFrame) -> None:
        label = context.asset_key.to_user_string()
        _, metadata = self.store(context, obj, partition_slice(context, label))
        context.add_output_metadata(metadata)

    def store(
        self,
        context: OutputContext | AssetExecutionContext,
        frame: pd.DataFrame,
        partitions: PartitionSlice | None,
        before_commit: BeforeCommit | None = None,
        descriptions: Mapping[str, str] | None = None,
    ) -> tuple[bool, dict]:
        """Write ``frame`` as the asset's table in one transaction; ``before_commit`` may veto
        it (see ``write_frame``). Returns whether it committed, and the metadata to record
        (its column schema described by ``descriptions``)."""
        label = context.asset_key.to_user_string()
        location = table_for(context.asset_key, self._root())
        if not isinstance(frame, pd.DataFrame):
            raise WarehouseError(
                f"Asset {label} returned {type(frame).__name__}; the warehouse stores pandas "
                "DataFrames. Return a DataFrame from the asset function."
            )
        repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        if repeated:
            raise WarehouseError(
                f"Asset {label} returned a frame with column(s) {repeated} more than once; a "
                "table's columns must have distinct names. Rename or drop the duplicates."
            )
        if self.team is not None and location.team != self.team:
            raise WarehouseError(
                f"Team {self.team!r} may not write {label}: the table {location.name} belongs "
                f"to team {location.team!r}. A team writes only its own assets."
            )
        with self._connection(context, location, read_only=False) as connection:
            connection.register(FRAME, frame)
            committed = write_frame(connection, location, partitions, label, before_commit)
            if not committed:
                return False, {}
            metadata = materialization_metadata(connection, FRAME, frame, location, descriptions)
        return True, {**metadata, **database_size(location)}

    def load_input(self, context: InputContext) -> pd.DataFrame:
        label = context.asset_key.to_user_string()
        location = table_for(context.asset_key, self._root())
        columns = list((context.definition_metadata or {}).get("columns") or []) or None
        partitions = partition_slice(context, label)
        if not location.database.exists():
            raise _never_materialized(label, location)
        selected = ", ".join(quote_identifier(c) for c in columns) if columns else "*"
        query, parameters = f"SELECT {selected} FROM {location.sql}", []
        if partitions is not None:
            predicate, parameters = partitions.predicate()
            query += f" WHERE {predicate}"
        import duckdb

        with self._connection(context, location, read_only=True) as connection:
            try:
                return connection.execute(query, parameters).fetchdf()
            except duckdb.CatalogException as error:
                raise _never_materialized(label, location) from error
            except duckdb.BinderException as error:
                raise WarehouseError(
                    f"Reading columns {columns} of {label} from {location.name} failed: "
                    f"{error}. The owning team ({location.team!r}) may have dropped or renamed "
                    "a column you consume; ask them, or update the columns you read."
                ) from error

    def _connection(self, context, location: TableLocation, *, read_only: bool):
        return warehouse_connection(
            location.database,
            read_only=read_only,
            wait_seconds=self.lock_wait_seconds,
            on_wait=lambda message: context.log.warning(f"{location.name}: {message}"),
        )

    def _root(self) -> Path:
        return Path(self.directory) if self.directory else warehouse_dir()


def _never_materialized(label: str, location: TableLocation) -> WarehouseError:
    return WarehouseError(
        f"Asset {label} has no table {location.name} in the warehouse ({location.database}). "
        f"Materialize {label} first (it belongs to team {location.team!r})."
    )
