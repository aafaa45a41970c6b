"""The source a scaffold writes for an asset: its module (a contract skeleton, its logic in a
plain function, the asset) and its test, with the inputs ``--reads`` wires: another team's
asset by its key through the warehouse, with the columns its contract publishes. ``--kind``
chooses what the logic takes and returns: pandas DataFrames (the default), a DuckDB relation
(``sql``: ``duckdb.sql`` over the inputs by name) or a polars LazyFrame (``polars``)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from string import Template

from platform_lib.errors import TailorError, did_you_mean

TEMPLATES = resources.files(__package__) / "templates"
EXAMPLE = "example"  # the asset a new team starts with


def fill_template(template: str, **values: str) -> str:
    """The file ``templates/<template>.tmpl`` with its ``${name}`` placeholders filled."""
    return Template((TEMPLATES / f"{template}.tmpl").read_text()).substitute(values)


@dataclass(frozen=True)
class AssetKind:
    """What a scaffolded asset's logic takes and returns: the import, the annotation, and how
    its test turns a small pandas frame into an input and the result into pandas."""

    imports: str
    frame: str
    small_input: str
    result_as_pandas: str


KINDS = {
    "pandas": AssetKind("import pandas as pd", "pd.DataFrame", "{}", ""),
    "sql": AssetKind("import duckdb", "duckdb.DuckDBPyRelation", "duckdb.from_df({})", ".df()"),
    "polars": AssetKind(
        "import polars as pl", "pl.LazyFrame", "pl.from_pandas({}).lazy()", ".collect().to_pandas()"
    ),
}
_UPSTREAM_TODO = {  # how the logic reads an upstream asset, for a scaffold reading none yet
    "sql": "TODO read upstream tables by their parameter names (FROM inventory)",
    "polars": "TODO transform the inputs (inventory.group_by(...).agg(...))",
}


@dataclass(frozen=True)
class Read:
    """An asset a new asset reads: its team and name, the argument that receives it, and the
    columns (with dtypes) its contract publishes."""

    team: str
    asset: str
    argument: str
    columns: Mapping[str, str]

    @property
    def key(self) -> str:
        return f"{self.team}/{self.asset}"


def resolve_reads(
    team: str, keys: Sequence[str], published: Mapping[str, Mapping[str, str]]
) -> list[Read]:
    """The assets named by ``--reads team/asset``, checked against ``published`` (every asset
    key of the workspace, with its contract's columns). An unknown key is refused with the
    closest keys that exist."""
    keys = list(dict.fromkeys(keys))
    for key in keys:
        if key not in published:
            raise TailorError(
                f"--reads {key!r}: no asset in the workspace has that key."
                + did_you_mean(key, published),
                hint="a key is team/asset, as `tailor list` shows the assets",
            )
    names = [key.split("/", 1)[1] for key in keys]
    reads = []
    for key in keys:
        upstream, name = key.split("/", 1)
        unique = upstream == team or names.count(name) == 1
        reads.append(Read(upstream, name, name if unique else f"{upstream}_{name}", published[key]))
    return reads


def asset_module(team: str, asset: str, reads: Sequence[Read] = (), kind: str = "pandas") -> str:
    """The text of teams/<team>/<asset>.py: a contract skeleton, its logic in a plain
    function, and the asset reading ``reads``, in ``kind`` (a key of ``KINDS``)."""
    ins = "".join(_asset_in(read) for read in reads if read.team != team)
    frame = KINDS[kind].frame
    return fill_template(
        "asset.py",
        title=team_title(team),
        asset=asset,
        model=_model(asset),
        purpose=f"an example: tailor new-asset {team} NAME replaces it"
        if asset == EXAMPLE
        else "replace this skeleton with your own logic",
        imports="\n".join(sorted([KINDS[kind].imports, "import pandera.pandas as pa"])),
        dagster_import="from dagster import AssetIn\n" if ins else "",
        parameters="".join(f"\n    {read.argument}: {frame}," for read in reads)
        + ("\n" if reads else ""),
        frame=frame,
        body=_BODIES[kind](reads),
        upstream=_upstream_todo(kind) if not reads else "",
        ins=f"\n    ins={{{ins}\n    }}," if ins else "",
        arguments=", ".join(read.argument for read in reads),
    )


def _pandas_body(reads: Sequence[Read]) -> str:
    if not reads:
        return 'pd.DataFrame({"item": ["a", "b", "c"], "value": [1.0, 2.5, 4.0]})'
    rows = [
        _bracketed('"item": [', [f'"{read.key}"' for read in reads], "],", 12),
        _bracketed('"value": [', [f"float(len({read.argument}))" for read in reads], "],", 12),
    ]
    lines = "".join(f"\n            {row}" for row in rows)
    return f"pd.DataFrame(\n        {{{lines}\n        }}\n    )"


def _sql_body(reads: Sequence[Read]) -> str:
    """A query over the inputs, each read by its parameter's name: its row count."""
    selects = [
        f"SELECT '{read.key}' AS item, count(*)::DOUBLE AS value\n        FROM {read.argument}"
        for read in reads
    ] or ["SELECT * FROM (VALUES ('a', 1.0), ('b', 2.5), ('c', 4.0)) AS rows(item, value)"]
    query = "\n        UNION ALL\n        ".join(selects)
    return f'duckdb.sql(\n        """\n        {query}\n        """\n    )'


def _polars_body(reads: Sequence[Read]) -> str:
    """Each input's row count, as LazyFrames (nothing runs until the table is written)."""
    if not reads:
        return 'pl.LazyFrame({"item": ["a", "b", "c"], "value": [1.0, 2.5, 4.0]})'
    counts = "".join(
        f"\n            {read.argument}.select("
        f'\n                item=pl.lit("{read.key}"),'
        "\n                value=pl.len().cast(pl.Float64),"
        "\n            ),"
        for read in reads
    )
    return f"pl.concat(\n        [{counts}\n        ]\n    )"


_BODIES = {"pandas": _pandas_body, "sql": _sql_body, "polars": _polars_body}


def _upstream_todo(kind: str) -> str:
    """A comment on how to read an upstream asset, another team's by its key (none for
    pandas, whose README section says it)."""
    if kind not in _UPSTREAM_TODO:
        return ""
    frame = KINDS[kind].frame
    return (
        f"# {_UPSTREAM_TODO[kind]}, each an input:\n"
        f"#   one of your team's assets by its name: def build_...(inventory: {frame});\n"
        '#   another team\'s by its key: @warehouse_asset(..., ins={"inventory": AssetIn(\n'
        '#       key=["merchandising", "inventory"])}); tailor new-asset --reads writes it\n'
    )


def asset_test(team: str, asset: str, reads: Sequence[Read] = (), kind: str = "pandas") -> str:
    """The text of teams/<team>/tests/test_<asset>.py: the logic on small frames (of
    ``kind``) keeps the contract, and the asset reads each input by its key."""
    model = _model(asset)
    names = ", ".join(sorted([model, f"build_{asset}", *([asset] if reads else [])]))
    imports = f"from teams.{team}.{asset} import {names}"
    if reads:
        libraries = "\n".join(sorted({"import pandas as pd", KINDS[kind].imports}))
        imports = f"{libraries}\nfrom dagster import AssetKey\n\n{imports}"
    frames = "".join(_small_frame(read, KINDS[kind].small_input) for read in reads)
    keys = [f'"{read.argument}": AssetKey({_key_path(read, team)})' for read in reads]
    wiring = (
        f"\n\n\ndef test_{asset}_reads_its_inputs_by_key():\n"
        f"    assert {asset}.keys_by_input_name == {{\n"
        + "".join(f"        {key},\n" for key in keys)
        + "    }"
        if reads
        else ""
    )
    return fill_template(
        "test_asset.py",
        title=team_title(team),
        asset=asset,
        model=model,
        imports=imports,
        frames=frames,
        arguments=", ".join(read.argument for read in reads),
        as_pandas=KINDS[kind].result_as_pandas,
        rows=str(len(reads) or 3),
        wiring_test=wiring,
    )


def _asset_in(read: Read) -> str:
    columns = "".join(
        f'\n                    "{name}": "{dtype}",' for name, dtype in read.columns.items()
    )
    metadata = (
        "\n            # what you read of it: tailor check fails if its team drops or retypes one"
        '\n            metadata={\n                "columns": {'
        + columns
        + "\n                },\n            },"
        if read.columns
        else ""
    )
    return (
        f'\n        "{read.argument}": AssetIn(\n'
        f'            key=["{read.team}", "{read.asset}"],{metadata}\n        ),'
    )


def _small_frame(read: Read, small_input: str) -> str:
    """Two rows with ``read``'s columns, as the logic's kind takes them (``small_input``
    wraps a pandas frame), laid out as ruff formats it."""
    if not read.columns:
        frame = small_input.format("pd.DataFrame(index=range(2))")
        return f"    {read.argument} = {frame}  # {read.key}\n"
    head, tail = small_input.split("{}")
    indent = "    " if head else ""
    columns = "".join(f'\n{indent}            "{name}",' for name in read.columns)
    frame = (
        f"pd.DataFrame(\n{indent}        index=range(2),\n{indent}        columns=[{columns}"
        f"\n{indent}        ],\n{indent}    )"
    )
    if head:
        frame = f"{head}\n        {frame}\n    ){tail[1:]}"
    comment = f"    # two rows with {read.key}'s columns\n"
    return f"{comment}    {read.argument} = {frame}\n"


def _bracketed(head: str, items: list[str], tail: str, indent: int) -> str:
    """``head items tail`` on one line if it fits in 100 characters, else one item a line."""
    inline = head + ", ".join(items) + tail
    if indent + len(inline) <= 100:
        return inline
    inner = "".join(f"\n{' ' * (indent + 4)}{item}," for item in items)
    return f"{head}{inner}\n{' ' * indent}{tail}"


def _key_path(read: Read, team: str) -> str:
    """The input's key as the asset module states it: another team's by its full key, its
    own team's by name (team_definitions adds the prefix)."""
    path = [read.team, read.asset] if read.team != team else [read.asset]
    return "[" + ", ".join(f'"{part}"' for part in path) + "]"


def team_title(team: str) -> str:
    return team.replace("_", " ").capitalize()


def _model(asset: str) -> str:
    return "".join(part.capitalize() for part in asset.split("_"))
