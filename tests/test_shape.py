"""The package keeps its shape: which module may import which, read from the code with `ast`.

The pure core (the model, the page splicer, Mermaid's grammar and rendering, stamp formatting,
schemas, findings) never reaches the command layer, the importer or git; only `cli` imports the
commands; only `git/` starts processes. Lazy imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "pages_roadmap"

CORE = (
    "roadmap",
    "page",
    "mermaid",
    "stamps.settings",
    "stamps.strftime",
    "stamps.find",
    "stamps.render",
    "schema",
    "findings",
    "yamlload",
    "errors",
    "text",
    "jekyll",
    "values",
    "navigation",
    "tuning",
    "fix",
)
# (importer prefix, imported prefix, why it is forbidden)
FORBIDDEN: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (
        CORE,
        ("cli", "git", "importer", "check", "build", "load", "site", "preview"),
        "the core is pure",
    ),
    (("git",), ("cli", "check", "build", "importer", "stamps", "load"), "git/ knows no command"),
    (("importer",), ("cli", "check", "build", "git"), "import is a command of its own"),
    (
        ("load", "site", "stamps", "summary"),
        ("cli", "check", "build", "preview"),
        "commands sit on top",
    ),
    (("check",), ("build", "importer"), "one command each"),
    (("build",), ("check", "importer"), "one command each"),
    # `check` reads hand-written charts with the import reader, through charts.py and only
    # through the importer's entry point (read_chart and its Line type).
    (
        ("charts",),
        ("cli", "check", "build", "git", "importer.pages", "importer.fields", "importer.yamlwrite"),
        "charts uses the importer's entry point only",
    ),
)
PROCESS_MODULES = ("subprocess", "multiprocessing.popen_fork", "pty")
PROCESS_STARTERS = ("git", "preview")  # git, and the browser that draws a preview


def module_name(file: Path) -> str:
    rel = file.relative_to(PACKAGE).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _is_package(dotted: str) -> bool:
    return (PACKAGE.parent / dotted.replace(".", "/")).is_dir()


def imports_of(source: str, name: str) -> set[str]:
    """Every module `name` imports, at any depth of the code (`from PKG import mod` is mod)."""
    found: set[str] = set()
    here = ["pages_roadmap", *name.split(".")[:-1]]  # the package `name` sits in
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if _is_package(module):
                found.update(f"{module}.{alias.name}" for alias in node.names)
            else:
                found.add(module)
    return found


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(name: str, source: str) -> list[str]:
    """The forbidden edges and process starts of one module."""
    problems = []
    for imported in sorted(imports_of(source, name)):
        if within(imported, PROCESS_MODULES) and not within(name, PROCESS_STARTERS):
            problems.append(f"{name} imports {imported}: only git/ and preview start processes")
        if not imported.startswith("pages_roadmap."):
            continue
        target = imported.removeprefix("pages_roadmap.")
        for sources, targets, why in FORBIDDEN:
            if within(name, sources) and within(target, targets):
                problems.append(f"{name} imports {target}: {why}")
    return problems


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("file", MODULES, ids=lambda f: module_name(f) or "__init__")
def test_module_keeps_to_its_layer(file: Path) -> None:
    assert violations(module_name(file), file.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("name", "source", "expected"),
    [
        # The table above, shown to bite: each row one forbidden edge written out.
        (
            "roadmap",
            "from pages_roadmap.git import history\n",
            ["roadmap imports git.history: the core is pure"],
        ),
        (
            "mermaid.render",
            "def f():\n    from pages_roadmap.git.run import run\n",
            ["mermaid.render imports git.run: the core is pure"],
        ),
        (
            "stamps.render",
            "from ..importer import reader\n",
            ["stamps.render imports importer.reader: the core is pure"],
        ),
        ("page", "from pages_roadmap import cli\n", ["page imports cli: the core is pure"]),
        (
            "check",
            "import subprocess\n",
            ["check imports subprocess: only git/ and preview start processes"],
        ),
        ("build", "from pages_roadmap import check\n", ["build imports check: one command each"]),
        ("git.history", "import subprocess\n", []),
        ("stamps.dating", "from pages_roadmap.git.history import last_changed\n", []),
        ("cli", "from pages_roadmap import build, check\n", []),
        (
            "charts",
            "def f():\n    from pages_roadmap.importer.pages import run\n",
            ["charts imports importer.pages: charts uses the importer's entry point only"],
        ),
        ("charts", "def f():\n    from pages_roadmap.importer.builder import read_chart\n", []),
        ("jekyll", "from pages_roadmap import site\n", ["jekyll imports site: the core is pure"]),
    ],
)
def test_the_rules_catch_forbidden_edges(name: str, source: str, expected: list[str]) -> None:
    assert violations(name, source) == expected


def test_design_map_lists_every_module() -> None:
    """The README's design map names each module of the tree, and nothing else."""
    readme = (PACKAGE.parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Design", 1)[1].split("```", 2)[1]
    listed = {line.split()[0] for line in block.splitlines() if line.strip()}
    files = {f.relative_to(PACKAGE).as_posix() for f in MODULES}
    assert listed == files
