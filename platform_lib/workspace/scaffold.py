"""Scaffolding a team or an asset (``tailor new-team``, ``tailor new-asset``).

The files a scaffold writes are templates in ``templates/``, filled with ``string.Template``.
Nothing is ever half-written: files are built in a staging folder and moved into place, and
``workspace.yaml`` or ``definitions.py`` are replaced atomically; if any step fails, what was
already placed is removed again. A refusal changes nothing at all.
"""

import keyword
import os
import re
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from string import Template

from platform_lib.errors import TailorError

TEMPLATES = resources.files(__package__) / "templates"


def fill_template(template: str, **values: str) -> str:
    """The file ``templates/<template>.tmpl`` with its ``${name}`` placeholders filled."""
    return Template((TEMPLATES / f"{template}.tmpl").read_text()).substitute(values)


def refuse_name(name: str, what: str, taken: set[str]) -> None:
    """Raise TailorError if ``name`` cannot name a team or an asset."""
    import duckdb

    reason = None
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        reason = "use lowercase letters, digits and underscores, starting with a letter"
    elif keyword.iskeyword(name):
        reason = "it is a Python keyword"
    elif name in taken:
        reason = f"{'an' if what[0] in 'aeiou' else 'a'} {what} with that name already exists"
    else:
        with duckdb.connect() as connection:
            reserved = connection.execute(
                "SELECT 1 FROM duckdb_keywords() WHERE keyword_name = ? "
                "AND keyword_category = 'reserved'",
                [name],
            ).fetchall()
        if reserved:
            reason = "it is a reserved word of DuckDB's SQL"
    if reason:
        raise TailorError(
            f"{what.capitalize()} name {name!r} is refused: {reason}.",
            hint=f"choose another name, e.g. {re.sub(r'[^a-z0-9_]', '_', name.lower())}_{what}",
        )


def new_team(root: Path, team: str, teams: set[str]) -> list[Path]:
    """Create teams/<team>/ with an example asset, its contract and test, and add it to
    workspace.yaml. Returns the files written."""
    refuse_name(team, "team", teams | _folders(root / "teams"))
    title = team.replace("_", " ").capitalize()
    asset = "example"
    files = {
        "__init__.py": fill_template("team_init.py", title=title),
        "definitions.py": fill_template("definitions.py", title=title, team=team, module=asset),
        "alerts.py": fill_template("alerts.py", team=team, upper=team.upper()),
        f"{asset}.py": fill_template("asset.py", title=title, asset=asset, model="Example"),
        "tests/test_example.py": fill_template(
            "test_asset.py", title=title, team=team, asset=asset, model="Example"
        ),
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


def new_asset(root: Path, team: str, asset: str, teams: set[str]) -> list[Path]:
    """Add teams/<team>/<asset>.py (contract skeleton) and its test, and list the module in
    the team's definitions.py. Returns the files written."""
    if team not in teams:
        raise TailorError(
            f"Team {team!r} is not in workspace.yaml; create it with tailor new-team."
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
    title = team.replace("_", " ").capitalize()
    model = "".join(part.capitalize() for part in asset.split("_"))
    written = {
        folder / f"{asset}.py": fill_template("asset.py", title=title, asset=asset, model=model),
        folder / "tests" / f"test_{asset}.py": fill_template(
            "test_asset.py", title=title, team=team, asset=asset, model=model
        ),
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
    return [*written, definitions]


def _with_module(text: str, team: str, module: str) -> str | None:
    imports = re.search(rf"^from teams\.{team} import ([^\n(]+)$", text, flags=re.M)
    assets = re.search(r"assets=\[([^\]]*)\]", text)
    if not imports or not assets:
        return None
    names = sorted({*(n.strip() for n in imports.group(1).split(",")), module})
    listed = [n.strip() for n in assets.group(1).split(",") if n.strip()]
    text = text[: imports.start(1)] + ", ".join(names) + text[imports.end(1) :]
    assets = re.search(r"assets=\[([^\]]*)\]", text)
    return text[: assets.start(1)] + ", ".join([*listed, module]) + text[assets.end(1) :]


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a reader sees the old or the new file)."""
    staging = path.with_name(f".{path.name}.tailor-tmp")
    staging.write_text(text)
    os.replace(staging, path)


def _folders(path: Path) -> set[str]:
    return {child.name for child in path.iterdir() if child.is_dir()} if path.exists() else set()
