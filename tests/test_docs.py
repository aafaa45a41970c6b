"""The README and docs/ point only at what exists: every repository path they name (in
backticks or as a link, or relative to platform_lib/ like `warehouse/layout.py`) is a file
or folder of the checkout, and every ``platform_lib.x`` they name, and every import from
platform_lib in their code blocks, imports. Paths of things `make` creates (data/,
.dagster_home/, deploy/, .venv/) are not in the checkout and are not checked."""

import importlib
import re
import subprocess
from pathlib import Path

from platform_lib.settings import REPO_ROOT

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
FILES = set(
    subprocess.run(  # tracked, and new files not ignored: what a commit of this tree holds
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
)  # fmt: skip
TOP_LEVEL = {path.split("/")[0] for path in FILES}
PACKAGES = {path.split("/")[1] for path in FILES if path.startswith("platform_lib/")}


def named_paths(doc: Path) -> list[str]:
    """Repository paths ``doc`` names, from the repository's top."""
    text = doc.read_text()
    named = []
    for token in re.findall(r"`([^`\s]+)`", text):
        first = token.split("/")[0]
        if "/" in token and first in TOP_LEVEL:
            named.append(token)
        elif "/" in token and first in PACKAGES and token.endswith((".py", "/")):
            named.append(f"platform_lib/{token}")
    for link in re.findall(r"\]\(([^)#\s]+)\)", text):
        if "://" not in link:
            named.append(str((doc.parent / link).resolve().relative_to(REPO_ROOT)))
    return named


def exists(path: str) -> bool:
    """``path`` (``<team>`` standing for any name) names a file or folder of the tree."""
    pattern = re.sub(r"<[^>]+>", "[^/]+", re.escape(path.rstrip("/")))
    return any(re.fullmatch(f"{pattern}(/.*)?", file) for file in FILES)


def test_every_path_the_docs_name_exists():
    missing = [
        f"{doc.relative_to(REPO_ROOT)}: {path}"
        for doc in DOCS
        for path in named_paths(doc)
        if not exists(path)
    ]
    assert not missing, "paths named in the docs that do not exist:\n" + "\n".join(missing)


def platform_names(doc: Path) -> list[str]:
    """``platform_lib.x.y`` named in backticks, and ``from platform_lib.x import y`` lines
    of code blocks, as dotted names."""
    text = doc.read_text()
    named = re.findall(r"`(platform_lib(?:\.\w+)+)`", text)
    for module, names in re.findall(r"^\s*from (platform_lib[\w.]*) import ([\w, ]+)$", text, re.M):
        named += [f"{module}.{name.strip()}" for name in names.split(",")]
    return named


def test_every_platform_lib_name_the_docs_give_imports():
    broken = []
    for doc in DOCS:
        for dotted in platform_names(doc):
            module, _, attribute = dotted.rpartition(".")
            try:
                importlib.import_module(dotted)
            except ModuleNotFoundError:
                try:
                    getattr(importlib.import_module(module), attribute)
                except (ModuleNotFoundError, AttributeError):
                    broken.append(f"{doc.relative_to(REPO_ROOT)}: {dotted}")
    assert not broken, "platform_lib names in the docs that do not import:\n" + "\n".join(broken)
