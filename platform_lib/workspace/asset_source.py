"""The source a scaffold writes for an asset: its module (a contract skeleton, its logic in a
plain function, the asset) and its test, with the inputs ``--reads`` wires: another team's
asset by its key through the warehouse, with the columns its contract publishes."""

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


def asset_module(team: str, asset: str, reads: Sequence[Read] = ()) -> str:
    """The text of teams/<team>/<asset>.py: a contract skeleton, its logic in a plain
    function, and the asset reading ``reads``."""
    ins = "".join(_asset_in(read) for read in reads if read.team != team)
    if reads:
        rows = [
            _bracketed('"item": [', [f'"{read.key}"' for read in reads], "],", 12),
            _bracketed('"value": [', [f"float(len({read.argument}))" for read in reads], "],", 12),
        ]
        lines = "".join(f"\n            {row}" for row in rows)
        body = f"pd.DataFrame(\n        {{{lines}\n        }}\n    )"
    else:
        body = 'pd.DataFrame({"item": ["a", "b", "c"], "value": [1.0, 2.5, 4.0]})'
    return fill_template(
        "asset.py",
        title=team_title(team),
        asset=asset,
        model=_model(asset),
        purpose=f"an example: tailor new-asset {team} NAME replaces it"
        if asset == EXAMPLE
        else "replace this skeleton with your own logic",
        dagster_import="from dagster import AssetIn\n" if ins else "",
        parameters="".join(f"\n    {read.argument}: pd.DataFrame," for read in reads)
        + ("\n" if reads else ""),
        body=body,
        ins=f"\n    ins={{{ins}\n    }}," if ins else "",
        arguments=", ".join(read.argument for read in reads),
    )


def asset_test(team: str, asset: str, reads: Sequence[Read] = ()) -> str:
    """The text of teams/<team>/tests/test_<asset>.py: the logic on small frames keeps the
    contract, and the asset reads each input by its key."""
    model = _model(asset)
    names = ", ".join(sorted([model, f"build_{asset}", *([asset] if reads else [])]))
    imports = f"from teams.{team}.{asset} import {names}"
    if reads:
        imports = f"import pandas as pd\nfrom dagster import AssetKey\n\n{imports}"
    frames = "".join(_small_frame(read) for read in reads)
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


def _small_frame(read: Read) -> str:
    if not read.columns:
        return f"    {read.argument} = pd.DataFrame(index=range(2))  # {read.key}\n"
    columns = "".join(f'\n            "{name}",' for name in read.columns)
    return (
        f"    {read.argument} = pd.DataFrame(  # two rows with {read.key}'s columns\n"
        f"        index=range(2),\n        columns=[{columns}\n        ],\n    )\n"
    )


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
