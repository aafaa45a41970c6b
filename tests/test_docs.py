"""The README and docs/ point only at what exists: every repository path they name (in
backticks or as a link) is a file or folder of the checkout, and every ``platform_lib.x``
they name imports. Paths of things `make` creates (data/, .dagster_home/, deploy/, .venv/)
are not in the checkout and are not checked."""

import importlib
import re
import subprocess
from pathlib import Path

from platform_lib.settings import REPO_ROOT

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
TRACKED = set(
    subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
)
TOP_LEVEL = {path.split("/")[0] for path in TRACKED}


def named_paths(doc: Path) -> list[str]:
    """Repository paths ``doc`` names: backticked or linked, under a tracked top-level name."""
    text = doc.read_text()
    candidates = re.findall(r"`([^`\s]+)`", text)
    candidates += [
        str((doc.parent / link).resolve().relative_to(REPO_ROOT))
        for link in re.findall(r"\]\(([^)#\s]+)\)", text)
        if "://" not in link
    ]
    return [path for path in candidates if path.split("/")[0] in TOP_LEVEL and "/" in path]


def exists(path: str) -> bool:
    """``path`` (``<team>`` standing for any name) names a tracked file or folder."""
    pattern = re.escape(path.rstrip("/")).replace(r"<", "<").replace(r">", ">")
    pattern = re.sub(r"<[^>]+>", "[^/]+", pattern)
    return any(re.fullmatch(f"{pattern}(/.*)?", tracked) for tracked in TRACKED)


def test_every_path_the_docs_name_exists():
    missing = [
        f"{doc.relative_to(REPO_ROOT)}: {path}"
        for doc in DOCS
        for path in named_paths(doc)
        if not exists(path)
    ]
    assert not missing, "paths named in the docs that do not exist:\n" + "\n".join(missing)


def test_every_platform_lib_name_the_docs_give_imports():
    broken = []
    for doc in DOCS:
        for dotted in re.findall(r"`(platform_lib(?:\.\w+)+)`", doc.read_text()):
            module, _, attribute = dotted.rpartition(".")
            try:
                importlib.import_module(dotted)
            except ModuleNotFoundError:
                try:
                    getattr(importlib.import_module(module), attribute)
                except (ModuleNotFoundError, AttributeError):
                    broken.append(f"{doc.relative_to(REPO_ROOT)}: {dotted}")
    assert not broken, "platform_lib names in the docs that do not import:\n" + "\n".join(broken)
