"""Scaffolding a team or an asset (``tailor new-team``, ``tailor new-asset``).

The files a scaffold writes are templates in ``templates/``, filled with ``string.Template``.
Nothing is ever half-written: files are built in a staging folder and moved into place, and
``workspace.yaml`` or ``definitions.py`` are replaced atomically; if any step fails, what was
already placed is removed again. A refusal changes nothing at all.

A new team starts with an ``example`` asset; the team's first ``tailor new-asset`` removes it
again, unless someone has edited it. ``new-asset --reads team/asset`` wires the new asset to
read that asset through the warehouse, as every cross-team read does, and tests the wiring.
"""

import ast
import keyword
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from platform_lib.errors import TailorError, did_you_mean
from platform_lib.workspace.asset_source import (
    EXAMPLE,
    Read,
    asset_module,
    asset_test,
    fill_template,
    team_title,
)


def refuse_name(name: str, what: str, taken: set[str]) -> None:
    """Raise TailorError if ``name`` cannot name a team or an asset, suggesting the nearest
    name that can (lowercased, underscores for other characters, else with ``_<what>``)."""
    reason = _refusal(name, what, taken)
    if reason:
        fixed = re.sub(r"[^a-z0-9_]", "_", name.lower())
        usable = [c for c in (fixed, f"{fixed}_{what}") if not _refusal(c, what, taken)]
        raise TailorError(
            f"{what.capitalize()} name {name!r} is refused: {reason}.",
            hint=f"choose another name, e.g. {usable[0]}" if usable else "choose another name",
        )


def _refusal(name: str, what: str, taken: set[str]) -> str | None:
    """Why ``name`` cannot name a team or an asset, or None if it can."""
    import duckdb

    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        return "use lowercase letters, digits and underscores, starting with a letter"
    if keyword.iskeyword(name):
        return "it is a Python keyword"
    if name in taken:
        return f"{'an' if what[0] in 'aeiou' else 'a'} {what} with that name already exists"
    with duckdb.connect() as connection:
        reserved = connection.execute(
            "SELECT 1 FROM duckdb_keywords() WHERE keyword_name = ? "
            "AND keyword_category = 'reserved'",
            [name],
        ).fetchall()
    return "it is a reserved word of DuckDB's SQL" if reserved else None


def new_team(root: Path, team: str, teams: set[str]) -> list[Path]:
    """Create teams/<team>/ with an example asset, its contract and test, and add it to
    workspace.yaml. Returns the files written."""
    refuse_name(team, "team", teams | _folders(root / "teams"))
    title = team_title(team)
    files = {
        "__init__.py": fill_template("team_init.py", title=title),
        "definitions.py": fill_template("definitions.py", title=title, team=team, module=EXAMPLE),
        "alerts.py": fill_template("alerts.py", team=team, upper=team.upper()),
        f"{EXAMPLE}.py": asset_module(team, EXAMPLE),
        f"tests/test_{EXAMPLE}.py": asset_test(team, EXAMPLE),
    }
    staging = Path(tempfile.mkdtemp(prefix=f".new-{team}-", dir=root / "teams"))
    target = root / "teams" / team
    try:
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text)
        staging.rename(target)
        workspace = root / "workspace.yaml"
        text = workspace.read_text()
        _replace(
            workspace,
            text
            + ("" if text.endswith("\n") else "\n")
            + fill_template("workspace_entry.yaml", team=team),
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)
        raise
    return [target / name for name in files] + [root / "workspace.yaml"]


@dataclass
class Scaffold:
    """What a scaffold changed: files written, files removed (an untouched example), and the
    example's module kept because someone edited it."""

    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    kept_example: Path | None = None


def new_asset(
    root: Path,
    team: str,
    asset: str,
    teams: set[str],
    reads: Sequence["Read"] = (),
    kind: str = "pandas",
) -> Scaffold:
    """Add teams/<team>/<asset>.py (contract skeleton, reading ``reads``, its logic in
    ``kind``) and its test, and list the module in the team's definitions.py; the team's
    untouched example goes."""
    if team not in teams:
        raise TailorError(
            f"Team {team!r} is not in workspace.yaml.{did_you_mean(team, teams)}",
            f"the teams: {', '.join(sorted(teams))}; a new one is made with tailor new-team",
        )
    folder = root / "teams" / team
    taken = {path.stem for path in folder.glob("*.py")}
    refuse_name(asset, "asset", taken)
    definitions = folder / "definitions.py"
    edited = _with_module(definitions.read_text(), team, asset)
    if edited is None:
        raise TailorError(
            f"{definitions.relative_to(root)} does not have the shape tailor edits "
            f"(`from teams.{team} import ...` and `assets=[...]`); add the module by hand."
        )
    example = _untouched_example(folder, team)
    if example:
        edited = _without_module(edited, EXAMPLE)
    written = {
        folder / f"{asset}.py": asset_module(team, asset, reads, kind),
        folder / "tests" / f"test_{asset}.py": asset_test(team, asset, reads, kind),
    }
    placed = []
    try:
        for path, text in written.items():
            path.parent.mkdir(exist_ok=True)
            if path.exists():
                raise TailorError(f"{path.relative_to(root)} already exists.")
            _replace(path, text)
            placed.append(path)
        _replace(definitions, edited)
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        raise
    for path in example:
        path.unlink()
    kept = folder / f"{EXAMPLE}.py"
    return Scaffold(
        written=[*written, definitions],
        removed=example,
        kept_example=kept if not example and kept.exists() else None,
    )


def _untouched_example(folder: Path, team: str) -> list[Path]:
    """The example's module and test, if both are as new-team wrote them."""
    files = {
        folder / f"{EXAMPLE}.py": asset_module(team, EXAMPLE),
        folder / "tests" / f"test_{EXAMPLE}.py": asset_test(team, EXAMPLE),
    }
    untouched = all(path.exists() and path.read_text() == text for path, text in files.items())
    return list(files) if untouched else []


def _with_module(text: str, team: str, module: str) -> str | None:
    """``text`` of a definitions.py with ``module`` imported and passed to team_definitions;
    None if it does not have the shape tailor edits."""
    imports = re.search(rf"^from teams\.{team} import ([^\n(]+)$", text, flags=re.M)
    if not imports or _team_assets(text) is None:
        return None
    names = sorted({*(n.strip() for n in imports.group(1).split(",")), module})
    text = text[: imports.start(1)] + ", ".join(names) + text[imports.end(1) :]
    return _edit_team_assets(text, lambda listed: [*listed, module])


def _without_module(text: str, module: str) -> str:
    """``text`` of a definitions.py with ``module`` neither imported nor listed."""
    imports = re.search(r"^from teams\.\w+ import ([^\n(]+)$", text, flags=re.M)
    kept = [n.strip() for n in imports.group(1).split(",") if n.strip() not in ("", module)]
    text = text[: imports.start(1)] + ", ".join(kept) + text[imports.end(1) :]
    return _edit_team_assets(text, lambda listed: [name for name in listed if name != module])


def _team_assets(text: str) -> ast.List | None:
    """The list a definitions.py passes as ``team_definitions(..., assets=[...])`` (not, say,
    a schedule's ``assets=``)."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "team_definitions":
            for argument in node.keywords:
                if argument.arg == "assets" and isinstance(argument.value, ast.List):
                    return argument.value
    return None


def _edit_team_assets(text: str, edit: Callable[[list[str]], list[str]]) -> str:
    listed = _team_assets(text)
    lines = text.splitlines(keepends=True)
    start = sum(map(len, lines[: listed.lineno - 1])) + listed.col_offset
    end = sum(map(len, lines[: listed.end_lineno - 1])) + listed.end_col_offset
    names = edit([ast.get_source_segment(text, element) for element in listed.elts])
    return f"{text[:start]}[{', '.join(names)}]{text[end:]}"


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a reader sees the old or the new file)."""
    staging = path.with_name(f".{path.name}.tailor-tmp")
    staging.write_text(text)
    os.replace(staging, path)


def _folders(path: Path) -> set[str]:
    return {child.name for child in path.iterdir() if child.is_dir()} if path.exists() else set()
