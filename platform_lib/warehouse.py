"""WarehouseIOManager: stores each asset's DataFrame as the table ``<team>.<asset>``."""

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from dagster import (
    AssetKey,
    ConfigurableIOManager,
    InputContext,
    MetadataValue,
    OutputContext,
    TableColumn,
    TableSchema,
)

from platform_lib.duckdb_connection import warehouse_connection
from platform_lib.errors import WarehouseError
from platform_lib.settings import warehouse_path
from platform_lib.sql import qualified_table, quote_identifier

PREVIEW_ROWS = 5


class WarehouseIOManager(ConfigurableIOManager):
    """Stores pandas DataFrames in the DuckDB warehouse, one table per asset.

    The asset ``[team, name]`` lives in the table ``team.name``. Each write replaces the
    table in a single transaction, so a failed write leaves the previous table intact.
    ``team_definitions`` attaches it to every team; a team never configures it by hand::

        defs = Definitions(assets=[...], resources={"io_manager": WarehouseIOManager()})
    """

    path: str | None = None
    """The DuckDB file. Default: ``$TAILOR_WAREHOUSE``, else ``data/warehouse.duckdb``."""

    team: str | None = None
    """The team whose code location this is; it may write only its own schema."""

    def handle_output(self, context: OutputContext, obj: pd.DataFrame) -> None:
        key = context.asset_key
        schema, table = _schema_and_table(key)
        if not isinstance(obj, pd.DataFrame):
            raise WarehouseError(
                f"Asset {key.to_user_string()} returned {type(obj).__name__}; the warehouse "
                "stores pandas DataFrames. Return a DataFrame from the asset function."
            )
        if self.team is not None and schema != self.team:
            raise WarehouseError(
                f"Team {self.team!r} may not write {key.to_user_string()}: the table "
                f"{schema}.{table} belongs to team {schema!r}. Write your own team's assets."
            )
        with warehouse_connection(self._path(), read_only=False) as connection:
            connection.register("tailor_frame", obj)
            connection.execute("BEGIN TRANSACTION")
            try:
                connection.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}")
                connection.execute(
                    f"CREATE OR REPLACE TABLE {qualified_table(schema, table)} "
                    "AS SELECT * FROM tailor_frame"
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            finally:
                connection.unregister("tailor_frame")
        context.add_output_metadata(_materialization_metadata(obj, f"{schema}.{table}"))

    def load_input(self, context: InputContext) -> pd.DataFrame:
        key = context.asset_key
        schema, table = _schema_and_table(key)
        columns: Sequence[str] | None = (context.definition_metadata or {}).get("columns")
        selected = ", ".join(quote_identifier(c) for c in columns) if columns else "*"
        with warehouse_connection(self._path(), read_only=True) as connection:
            if not _table_exists(connection, schema, table):
                raise WarehouseError(
                    f"Asset {key.to_user_string()} has no table {schema}.{table} in the "
                    f"warehouse {self._path()}. Materialize {key.to_user_string()} first "
                    f"(it belongs to team {schema!r})."
                )
            return connection.sql(f"SELECT {selected} FROM {qualified_table(schema, table)}").df()

    def _path(self) -> Path:
        return Path(self.path) if self.path else warehouse_path()


def _schema_and_table(key: AssetKey) -> tuple[str, str]:
    if len(key.path) != 2:
        raise WarehouseError(
            f"Asset key {key.to_user_string()} must have two parts, [team, asset], to map to "
            "a warehouse table. Define the asset through team_definitions."
        )
    return key.path[0], key.path[1]


def _table_exists(connection, schema: str, table: str) -> bool:
    rows = connection.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchall()
    return bool(rows)


def _materialization_metadata(frame: pd.DataFrame, table_name: str) -> dict:
    schema = TableSchema(
        columns=[TableColumn(name=str(c), type=str(t)) for c, t in frame.dtypes.items()]
    )
    return {
        "dagster/row_count": len(frame),
        "dagster/table_name": table_name,
        "dagster/column_schema": schema,
        "preview": MetadataValue.md(frame.head(PREVIEW_ROWS).to_markdown(index=False)),
    }
