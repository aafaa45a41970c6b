"""Each team's assets share a concurrency pool, ``warehouse_<team>``: with the deployment's
pool limit of 1 (``tailor deploy render``), two runs of a team never write its DuckDB file
at the same time, so parallel runs queue in Dagster instead of waiting on the file's lock.

Dagster sets a pool on the op of an asset (``@asset(pool=...)``); ``team_definitions`` gives
every team asset without one the team's pool. On an instance with no pool limits (the
embedded ``make dev`` one) a pool changes nothing.
"""

from dagster import AssetsDefinition, In, OpDefinition, Out


def warehouse_pool(team: str) -> str:
    return f"warehouse_{team}"


def in_team_pool(asset: AssetsDefinition, team: str) -> AssetsDefinition:
    """``asset`` in the team's warehouse pool, unless it chose a pool of its own (or is
    computed by a graph, whose ops choose theirs)."""
    op = asset.node_def
    if not isinstance(op, OpDefinition) or op.pool:
        return asset
    pooled = OpDefinition.dagster_internal_init(
        compute_fn=op.compute_fn,
        name=op.name,
        ins={definition.name: In.from_definition(definition) for definition in op.input_defs},
        outs={definition.name: Out.from_definition(definition) for definition in op.output_defs},
        description=op.description,
        config_schema=op.config_schema,
        required_resource_keys=op.required_resource_keys,
        tags=op.tags,
        version=None,
        retry_policy=op.retry_policy,
        code_version=op.version,
        pool=warehouse_pool(team),
    )
    return AssetsDefinition.dagster_internal_init(
        **{**asset.get_attributes_dict(), "node_def": pooled}
    )
