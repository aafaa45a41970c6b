"""warehouse_asset: a Dagster asset with a data contract, checked before its table changes.

    @warehouse_asset(contract=ClientProfiles, table_checks=TableChecks(not_empty=True))
    def client_profiles(raw_clients: pd.DataFrame) -> pd.DataFrame:
        \"\"\"One row per client ...\"\"\"

The function is written exactly as for ``@asset``: it returns a DataFrame (or
``Output(frame, metadata={...})`` to record more on the materialization). The platform then
writes it inside a warehouse transaction, evaluates every rule of the contract there (by
SQL, or pandera for rules SQL cannot express), and commits only if no ERROR rule fails. So a
bad frame never replaces the good table, downstream assets in the run do not start, and the
Checks tab shows each rule with its failing-row count and a sample of failing rows. WARN
rules report and let the run go on. The contract's columns, with their descriptions, become
the asset's column schema in the catalog.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd
import pandera.pandas as pa
from dagster import (
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    Failure,
    FreshnessPolicy,
    MaterializeResult,
    Output,
    ResourceParam,
    TableColumn,
    TableSchema,
    asset,
)

from platform_lib.contracts.asset_contract import AssetContract, blocking_failures
from platform_lib.contracts.evaluation import evaluate_on_frame
from platform_lib.contracts.rules import Rule, rules_from_contract
from platform_lib.contracts.table_checks import TableChecks
from platform_lib.environment.run_environment import RunEnvironment
from platform_lib.environment.sampling import SAMPLE_BY
from platform_lib.errors import BROKEN_CONTRACT, TeamConventionError
from platform_lib.landing.sample import LandingSample, sampling_landing_reads
from platform_lib.settings import RUN_MEMORY_ENV
from platform_lib.warehouse.consumers import declared_reads, intended_breaks
from platform_lib.warehouse.io_manager import WAREHOUSE_RESOURCE, WarehouseIOManager
from platform_lib.warehouse.layout import TableLocation
from platform_lib.warehouse.partitions import run_partition_slice
from platform_lib.warehouse.write_request import WriteRequest

if TYPE_CHECKING:  # DuckDB is imported by the code that runs, never at load
    import duckdb

CONTRACT_METADATA = "tailor/contract"


def warehouse_asset(
    fn: Callable | None = None,
    *,
    contract: type[pa.DataFrameModel] | None = None,
    sql_checks: dict[str, str] | None = None,
    table_checks: TableChecks | None = None,
    freshness: timedelta | None = None,
    sample_by: str | None = None,
    **asset_kwargs: Any,
):
    """``@asset`` plus the platform's checks; every other keyword goes to ``dagster.asset``.

    - ``contract``: a pandera ``DataFrameModel``; one blocking check per column rule, one for
      the table-level rules.
    - ``sql_checks``: ``{name: condition}``, a SQL condition every row must satisfy.
    - ``table_checks``: ``TableChecks(not_empty=..., min_rows=..., max_rows=..., max_change=...)``.
    - ``freshness``: the asset is overdue when not materialized for this long (Dagster's
      ``FreshnessPolicy``, which the UI shows).
    - ``sample_by``: the key column sample mode samples the table by (see ``sampling``);
      give tables that join on a key the same one. An ingest reading the landing zone reads
      only its sample of the file.
    """

    def decorate(function: Callable) -> Any:
        name = asset_kwargs.get("name") or function.__name__
        if "check_specs" in asset_kwargs:
            raise TeamConventionError(
                f"Asset {name}: warehouse_asset makes the asset's checks from its contract; "
                "write other checks as @asset_check functions and pass them to "
                "team_definitions(asset_checks=[...])."
            )
        if table_checks and table_checks.max_change and asset_kwargs.get("partitions_def"):
            raise TeamConventionError(
                f"Asset {name}: max_change compares whole-table row counts, which a backfill "
                "of new partitions changes legitimately. Use min_rows/max_rows instead."
            )
        rules = rules_from_contract(contract, sql_checks)
        table_rules = table_checks.rules() if table_checks else []
        metadata = {**asset_kwargs.pop("metadata", {})}
        descriptions = {}
        if contract is not None:
            metadata["dagster/column_schema"] = schema = column_schema(contract)
            descriptions = {c.name: c.description for c in schema.columns if c.description}
            metadata[CONTRACT_METADATA] = f"{contract.__module__}.{contract.__qualname__}"
        if freshness is not None:
            asset_kwargs["freshness_policy"] = FreshnessPolicy.time_window(fail_window=freshness)
        if sample_by is not None:
            metadata[SAMPLE_BY] = sample_by
        sampled_by = metadata.get(SAMPLE_BY)  # the keyword, or metadata spelling it out
        return asset(
            name=name,
            metadata=metadata,
            check_specs=[_check_spec(name, rule) for rule in [*rules, *table_rules]],
            **{key: value for key, value in asset_kwargs.items() if key != "name"},
        )(_checked(function, AssetContract(rules, table_checks, descriptions), sampled_by))

    return decorate(fn) if fn is not None else decorate


def column_schema(contract: type[pa.DataFrameModel]) -> TableSchema:
    """The contract's columns, types and descriptions, as Dagster shows them in the catalog."""
    return TableSchema(
        columns=[
            TableColumn(
                name=name,
                type=str(column.dtype),
                description=column.description or column.title,
            )
            for name, column in contract.to_schema().columns.items()
        ]
    )


def _check_spec(asset_name: str, rule: Rule) -> AssetCheckSpec:
    return AssetCheckSpec(
        rule.name,
        asset=asset_name,
        description=rule.description,
        blocking=rule.severity == AssetCheckSeverity.ERROR,
    )


def _checked(function: Callable, contract: AssetContract, sample_by: str | None) -> Callable:
    """The asset's compute: the scientist's function (reading its landing sample in sample
    mode), then a contract-checked write."""
    parameters = list(inspect.signature(function).parameters.values())
    wants_context = bool(parameters) and parameters[0].name == "context"
    inputs = parameters[1:] if wants_context else parameters

    @functools.wraps(function)
    def compute(context: AssetExecutionContext, *args: Any, **kwargs: Any) -> Iterator[Any]:
        warehouse = kwargs.pop(WAREHOUSE_RESOURCE)
        with sampling_landing_reads(_landing_sample(context, sample_by)), _memory_named(context):
            result = (
                function(context, *args, **kwargs) if wants_context else function(*args, **kwargs)
            )
        extra = result.metadata if isinstance(result, Output) else {}
        frame = result.value if isinstance(result, Output) else result
        yield from _write_checked(context, warehouse, frame, contract, extra, sample_by)

    context_parameter = inspect.Parameter(
        "context", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=AssetExecutionContext
    )
    # the warehouse arrives as a typed resource parameter, like any resource a team asks for
    warehouse_parameter = inspect.Parameter(
        WAREHOUSE_RESOURCE,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=ResourceParam[WarehouseIOManager],
    )
    compute.__signature__ = inspect.Signature([context_parameter, *inputs, warehouse_parameter])
    contract.attach_to(compute)  # where the team's restore job finds it
    return compute


@contextmanager
def _memory_named(context: AssetExecutionContext) -> Iterator[None]:
    """Inside: Python running out of memory in the asset's function is a ``Failure`` naming
    the asset and the lazy kinds that keep its data in DuckDB."""
    try:
        yield
    except MemoryError as error:
        raise Failure(
            description=(
                f"Asset {context.asset_key.to_user_string()} ran out of memory in its function "
                f"({error or 'MemoryError'}): it holds more data in Python than this run has. "
                "Read its inputs lazily (annotate them duckdb.DuckDBPyRelation or "
                "polars.LazyFrame) and return the query, so DuckDB runs it within the run's "
                f"memory limit, spilling to disk; or raise the limit ({RUN_MEMORY_ENV})."
            )
        ) from error


def _landing_sample(context: AssetExecutionContext, key: str | None) -> LandingSample | None:
    label = context.asset_key.to_user_string()
    sampling = RunEnvironment.current().sampling
    fraction = sampling.fraction_for(label)
    return LandingSample(label, key, fraction, sampling) if key and fraction else None


def _write_checked(
    context: AssetExecutionContext,
    warehouse: WarehouseIOManager,
    frame: pd.DataFrame,
    contract: AssetContract,
    extra_metadata: dict,
    sample_by: str | None,
) -> Iterator[Any]:
    label = context.asset_key.to_user_string()
    # rules only pandera can check need just a pandas frame: run them before taking the write
    # lock; any other kind is checked on the table it wrote, inside the write transaction
    pandas = isinstance(frame, pd.DataFrame)
    on_frame = evaluate_on_frame(frame, contract.rules) if pandas else []
    outcomes = list(on_frame)

    def before_commit(connection: duckdb.DuckDBPyConnection, location: TableLocation) -> bool:
        # a write retried after another writer's commit decides again, from the frame's outcomes
        key, instance = context.asset_key, context.instance
        outcomes[:] = (
            contract.evaluate(connection, location, key, instance, frame, on_frame)
            if pandas
            else contract.evaluate_table(connection, location, key, instance)
        )
        return not blocking_failures(outcomes)

    request = WriteRequest(
        asset_key=context.asset_key,
        frame=frame,
        run_id=context.run.run_id,
        partitions=run_partition_slice(context, label),
        sample_by=sample_by,
        descriptions=contract.descriptions,
        before_commit=before_commit,
        reads=declared_reads(context.assets_def),
        breaking_change_intended=intended_breaks(
            context.assets_def.metadata_by_key.get(context.asset_key), label
        ),
    )
    metadata = warehouse.store(request, context.log)
    results = [outcome.check_result() for outcome in outcomes]
    if metadata is not None:
        yield MaterializeResult(metadata={**extra_metadata, **metadata}, check_results=results)
        return
    yield from results
    blocking = blocking_failures(outcomes)
    failed = ", ".join(outcome.summary() for outcome in blocking)
    raise Failure(  # Dagster's own failure: the UI shows its description, not a traceback
        description=(
            f"Asset {label} broke its contract: {failed}. The table was not changed: "
            "downstream assets keep reading the previous version. Each check's details (and "
            "failing rows) are on the asset's Checks tab; fix the data or the asset, then "
            "materialize again."
        ),
        metadata={BROKEN_CONTRACT: [outcome.rule.name for outcome in blocking]},
    )
