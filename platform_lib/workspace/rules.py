"""The platform's rules, checked over a whole loaded workspace (``tailor check``).

Each violation names the file and line where it can be fixed, when there is one.
"""

import ast
import inspect
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dagster import AssetKey, AssetsDefinition, Definitions

from platform_lib.errors import did_you_mean
from platform_lib.workspace.consumed_columns import consumed_column_problems
from platform_lib.workspace.locations import CodeLocation, defined_asset_keys


@dataclass(frozen=True)
class Violation:
    """One broken rule, where to fix it, and what is wrong."""

    rule: str
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else ""
        return f"{where}[{self.rule}] {self.message}"


def check_workspace(root: Path, locations: list[CodeLocation]) -> list[Violation]:
    """Every violation of the platform's rules in the workspace under ``root``."""
    loaded, violations = {}, []
    for location in locations:
        try:
            loaded[location.name] = location.load()
        except Exception as error:  # a location that does not load is itself a violation
            message = f"code location {location.name!r} fails to load: {error}"
            violations.append(Violation("loads", message, *_raised_at(root, error)))
    for team, defs in loaded.items():
        violations += _asset_violations(root, team, defs)
    violations += _import_violations(root, [location.name for location in locations])
    violations += _undefined_dependencies(root, loaded)
    violations += [
        Violation(
            "consumed-columns",
            problem.message,
            *_written_at(root, problem.consumer, {problem.spelled}),
        )
        for problem in consumed_column_problems(loaded)
    ]
    return violations


def _asset_violations(root: Path, team: str, defs: Definitions) -> Iterator[Violation]:
    checked = {
        spec.asset_key
        for assets in defs.assets or []
        if isinstance(assets, AssetsDefinition)
        for spec in assets.check_specs
    }
    for assets in defs.assets or []:
        if not isinstance(assets, AssetsDefinition) or not assets.is_executable:
            continue
        file, line = _source_of(root, assets)
        for spec in assets.specs:
            name = spec.key.to_user_string()
            problems = {
                "key-prefix": spec.key.path[0] != team
                and f"{name} is not under key prefix {team!r}",
                "owner": f"team:{team}" not in spec.owners
                and f"{name} is not owned by team:{team}",
                "group": spec.group_name != team and f"{name} is in group {spec.group_name!r}",
                "description": not (spec.description or "").strip()
                and f"{name} has no description (add a docstring)",
                "checks": spec.key not in checked
                and f"{name} has no contract and no check (use @warehouse_asset(contract=...))",
            }
            for rule, problem in problems.items():
                if problem:
                    yield Violation(rule, problem, file, line)


def _source_of(root: Path, assets: AssetsDefinition) -> tuple[str | None, int | None]:
    try:
        function = inspect.unwrap(assets.op.compute_fn.decorated_fn)
        path = Path(inspect.getsourcefile(function)).resolve()
        line = inspect.getsourcelines(function)[1]
    except (AttributeError, OSError, TypeError):
        return None, None
    return (str(path.relative_to(root)) if path.is_relative_to(root) else str(path)), line


def _import_violations(root: Path, teams: list[str]) -> Iterator[Violation]:
    for team in teams:
        for path in sorted((root / "teams" / team).rglob("*.py")):
            try:
                tree = ast.parse(path.read_text(), filename=str(path))
            except SyntaxError:  # the location's load reports it, at its line
                continue
            for node in ast.walk(tree):
                for module in _imported(node):
                    parts = module.split(".")
                    if parts[0] == "teams" and len(parts) > 1 and parts[1] != team:
                        yield Violation(
                            "imports",
                            f"team {team!r} imports {module}; read another team's data by its "
                            "asset key through the warehouse, never by importing its code",
                            str(path.relative_to(root)),
                            node.lineno,
                        )


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return []


def _undefined_dependencies(root: Path, loaded: dict[str, Definitions]) -> Iterator[Violation]:
    """Each dependency on another team's asset that no location defines, at the line where
    an asset function writes its key, with the closest defined keys."""
    defined = defined_asset_keys(loaded)
    names = [key.to_user_string() for key in defined]
    for team, defs in loaded.items():
        readers: dict[AssetKey, list[tuple[AssetsDefinition, AssetKey]]] = {}
        for assets in defs.assets or []:
            if isinstance(assets, AssetsDefinition) and assets.is_executable:
                for spec in assets.specs:
                    for key in {dep.asset_key for dep in spec.deps}:
                        readers.setdefault(key, []).append((assets, spec.key))
        for spec in defs.resolve_all_asset_specs():
            if spec.key.path[0] == team or spec.key in defined:
                continue
            name = spec.key.to_user_string()
            for assets, reader in readers.get(spec.key) or [(None, None)]:
                spellings = {spec.key.path[-1], name}
                file, line = _written_at(root, assets, spellings) if assets else (None, None)
                read_by = f" (read by {reader.to_user_string()})" if reader else ""
                yield Violation(
                    "dependencies",
                    f"team {team!r} depends on {name}{read_by}, which no code location defines "
                    "(misspelt, or its team removed it)." + did_you_mean(name, names),
                    file,
                    line,
                )


def _written_at(
    root: Path, assets: AssetsDefinition, spellings: set[str]
) -> tuple[str | None, int | None]:
    """Where one of ``spellings`` is written as a string in the asset's decorated function
    (its key or a column it reads), else the function's first line."""
    file, first = _source_of(root, assets)
    if file is None:
        return None, None
    path = Path(file) if Path(file).is_absolute() else root / file
    function = inspect.unwrap(assets.op.compute_fn.decorated_fn)
    last = first + len(inspect.getsourcelines(function)[0]) - 1
    lines = sorted(
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Constant) and node.value in spellings
    )
    return file, next((n for n in lines if first <= n <= last), first)


def _raised_at(root: Path, error: BaseException) -> tuple[str | None, int | None]:
    """The last line of a team's own code in ``error``'s traceback (or the line a syntax
    error points at), if any."""
    places = [(frame.filename, frame.lineno) for frame in traceback.extract_tb(error.__traceback__)]
    if isinstance(error, SyntaxError) and error.filename:
        places.append((error.filename, error.lineno))
    teams, top = (root / "teams").resolve(), root.resolve()
    ours = [(Path(file).resolve(), line) for file, line in places if file]
    ours = [(file, line) for file, line in ours if file.is_relative_to(teams)]
    return (str(ours[-1][0].relative_to(top)), ours[-1][1]) if ours else (None, None)
