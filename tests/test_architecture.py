"""platform_lib keeps the shape docs/architecture.md draws: packages import only what their
row of the map allows, modules form no circle, private names stay inside their package,
and DuckDB is imported only by code that runs (so loading a code location never imports it).

The imports are read with ``ast``, so every import counts: at a module's top, inside a
function, or under ``TYPE_CHECKING``.
"""

import ast
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from platform_lib.settings import REPO_ROOT

PLATFORM = REPO_ROOT / "platform_lib"
ROOT = "root"  # the modules directly in platform_lib/ (errors, settings, sql, wording)
FACE = "platform_lib"  # the public face, platform_lib/__init__.py


@dataclass(frozen=True)
class Import:
    """One import in one file: the module imported from, the names taken, where."""

    module: str
    names: tuple[str, ...]
    file: Path
    line: int
    at_top: bool
    """At the module's top level, outside ``if TYPE_CHECKING:``."""

    def __str__(self) -> str:
        names = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.file.relative_to(REPO_ROOT)}:{self.line}: {self.module}{names}"


def is_type_checking(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:``, whose body runs only under a type checker."""
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_in(path: Path) -> list[Import]:
    """Every import in ``path``; a relative one as the absolute module it names."""
    found = []
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]

    def visit(nodes: list[ast.AST], at_top: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.extend(Import(a.name, (), path, node.lineno, at_top) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                names = tuple(alias.name for alias in node.names)
                found.append(Import(module, names, path, node.lineno, at_top))
            elif is_type_checking(node):
                visit(node.body, at_top=False)
                visit(node.orelse, at_top)
            else:  # a function's body runs later, if ever; a class body runs at import
                later = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                visit(list(ast.iter_child_nodes(node)), at_top and not later)

    visit(ast.parse(path.read_text(), filename=str(path)).body, at_top=True)
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PLATFORM.rglob("*.py"))}


def package_of(module: str) -> str:
    """``warehouse`` for ``platform_lib.warehouse.io_manager``; ROOT for a root module."""
    parts = module.split(".")
    if module == FACE:
        return FACE
    if len(parts) == 2 and (PLATFORM / f"{parts[1]}.py").exists():
        return ROOT
    return parts[1]


def the_map() -> dict[str, tuple[int, set[str]]]:
    """docs/architecture.md's map: each package's floor and the packages it may import."""
    text = (REPO_ROOT / "docs" / "architecture.md").read_text()
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \| [^|]+ \| ([^|]*) \|$", text, flags=re.M)
    packages = {}
    for floor, package, may_import in rows:
        name = ROOT if package.startswith("root") else package.strip().strip("`")
        packages[name] = (int(floor), set(re.findall(r"`(\w+)`", may_import)))
    return packages


MAP = the_map()


def platform_imports() -> list[tuple[str, Import]]:
    """(importing module, import) for every import of platform_lib inside platform_lib."""
    return [
        (module, found)
        for module, path in MODULES.items()
        for found in imports_in(path)
        if found.module.split(".")[0] == FACE
    ]


def test_the_map_names_every_package_and_only_looks_down():
    packages = {package_of(module) for module in MODULES} - {FACE}
    assert set(MAP) == packages, "docs/architecture.md's map and platform_lib's packages differ"
    for package, (floor, allowed) in MAP.items():
        assert allowed <= set(MAP) - {ROOT}, f"{package} may import an unknown package"
        higher = [other for other in allowed if MAP[other][0] >= floor]
        assert not higher, f"{package} (floor {floor}) may import {higher}, not below it"
        if package != ROOT:  # its docstring says the same
            docstring = ast.get_docstring(
                ast.parse((PLATFORM / package / "__init__.py").read_text())
            )
            said = docstring.split("May import")[-1]
            assert set(re.findall(r"``(\w+)``", said)) == allowed, f"{package}/__init__.py"


def test_every_package_imports_only_what_the_map_allows():
    broken = []
    for module, found in platform_imports():
        home, target = package_of(module), package_of(found.module)
        if target == FACE and home != FACE:
            broken.append(f"{found}: import it from the module that defines it")
        elif home not in (target, FACE) and target != ROOT and target not in MAP[home][1]:
            broken.append(f"{found}: {home} may not import {target} (docs/architecture.md)")
    assert not broken, "\n".join(broken)


def test_no_module_imports_itself_back_through_a_circle():
    graph = {module: set() for module in MODULES}
    for module, found in platform_imports():
        targets = [found.module] + [f"{found.module}.{name}" for name in found.names]
        graph[module] |= {target for target in targets if target in MODULES} - {module}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        pytest.fail(f"import circle: {' -> '.join(error.args[1])}")


def test_no_private_name_crosses_a_package():
    crossing = [
        str(found)
        for module, found in platform_imports()
        if package_of(module) != package_of(found.module)
        and any(name.startswith("_") for name in (*found.names, *found.module.split(".")))
    ]
    for folder in ("tests", "teams", "bench", "scripts"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            crossing += [
                str(found)
                for found in imports_in(path)
                if found.module.split(".")[0] == FACE
                and any(name.startswith("_") for name in (*found.names, *found.module.split(".")))
            ]
    assert not crossing, "private names used outside their package:\n" + "\n".join(crossing)


def test_duckdb_is_imported_only_inside_the_code_that_uses_it():
    at_top = [
        str(found)
        for path in MODULES.values()
        for found in imports_in(path)
        if found.module.split(".")[0] == "duckdb" and found.at_top
    ]
    assert not at_top, "import duckdb inside the function that uses it:\n" + "\n".join(at_top)


PUBLIC_FACE = """
import json, sys
import platform_lib
loaded = sorted(name for name in sys.modules if name.startswith("platform_lib."))
names = {name: getattr(platform_lib, name).__module__ for name in platform_lib.__all__}
print(json.dumps({"loaded at import": loaded, "names": sorted(names)}))
"""
TEAMS_AND_README_USE = [
    "AlertRoutes", "LakeUpkeep", "LandingFileError", "LandingZone", "ParallelJob", "TableChecks",
    "TailorError", "TeamConventionError", "TeamSchedule", "WarehouseError", "WarehouseIOManager",
    "open_warehouse", "team_definitions", "warehouse_asset", "warehouse_tables",
]  # fmt: skip


def test_the_public_face_loads_nothing_until_asked_and_has_every_name():
    printed = subprocess.run(
        [sys.executable, "-c", PUBLIC_FACE], cwd=REPO_ROOT, capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip
    face = json.loads(printed.strip().splitlines()[-1])
    assert face["loaded at import"] == ["platform_lib.errors"]
    assert face["names"] == TEAMS_AND_README_USE


LOAD_LOCATION = """
import ast, importlib, json, pathlib, sys
from platform_lib.workspace.locations import read_workspace

def loaded():
    return sorted({name.split(".")[0] for name in sys.modules} & {"duckdb", "polars", "pyarrow"})

(location,) = [location for location in read_workspace() if location.name == sys.argv[1]]
for path in pathlib.Path("teams", location.name).glob("*.py"):  # the team's own imports
    for node in ast.parse(path.read_text()).body:
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [
            node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
        for name in names:
            if name.split(".")[0] not in ("platform_lib", "teams"):
                importlib.import_module(name)
own = loaded()
location.load().resolve_asset_graph()
print(json.dumps({"by its own imports": own, "by loading the location": loaded()}))
"""


def test_platform_lib_makes_no_location_import_duckdb_polars_or_pyarrow():
    """A location loads DuckDB, polars and pyarrow only if its team's own code (or pandas)
    imports them: platform_lib adds none, so styling, all pandas, loads neither DuckDB nor
    polars, while merchandising's SQL imports DuckDB by its own choice."""
    teams = ["client_insights", "merchandising", "styling"]
    running = {
        team: subprocess.Popen(
            [sys.executable, "-c", LOAD_LOCATION, team], cwd=REPO_ROOT, stdout=subprocess.PIPE,
            text=True,
        )
        for team in teams
    }  # fmt: skip
    loaded = {
        team: json.loads(run.communicate()[0].splitlines()[-1]) for team, run in running.items()
    }
    for team, libraries in loaded.items():
        assert libraries["by loading the location"] == libraries["by its own imports"], team
    assert not {"duckdb", "polars"} & set(loaded["styling"]["by loading the location"])
    assert "duckdb" in loaded["merchandising"]["by its own imports"]
