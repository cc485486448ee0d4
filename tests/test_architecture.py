"""The layers of docs/architecture.md hold: no import cycle, and no import pointing up a layer.

Imports inside functions count too: a lazy import hides a cycle from Python, not from a reader.
Imports under ``if TYPE_CHECKING:`` do not: they name the classes an annotation mentions (the models'
relationships point both ways) and never run.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("instruments", "analysis", "survey")

# survey's parts by layer (docs/architecture.md): a module may import its own part, and any part of
# a lower layer, never a higher one or a sibling of its own layer unless listed in SIBLINGS.
LAYERS: dict[str, int] = {
    **dict.fromkeys(
        (
            "extensions",
            "config",
            "database",
            "models",
            "exceptions",
            "localtime",
            "access",
            "blueprints",
            "jobs",
            "audit",
            "web",
            "errors",
            "security",
            "templating",
            "logging_setup",
        ),
        0,
    ),
    "accounts": 1,
    "assets": 1,
    "ops": 1,
    "campaigns": 2,
    "responses": 3,
    "pages": 3,
    "deepdives": 3,  # below datasets and workshops, whose profiles, report and cards quote its excerpts
    "paper": 4,
    "datasets": 4,
    "workshops": 5,  # weighs the evidence: profiles and their figures live in datasets
    "demo": 6,
    "cli": 7,
    "": 8,  # survey/__init__.py: the app factory, which puts everything together
}
# Core modules build on one another in this order.
CORE_ORDER = (
    "extensions",
    "localtime",
    "config",
    "exceptions",
    "database",
    "models",
    "access",
    "blueprints",
    "jobs",
    "audit",
    "web",
    "errors",
    "security",
    "templating",
    "logging_setup",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Every module's imports of the project's own modules (and of the third parties it names)."""
    found: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in type_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    found[name].add(submodule if submodule in modules else node.module)
            elif isinstance(node, ast.Import):
                found[name].update(alias.name for alias in node.names)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return components


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    imports = _imports(modules)
    return {name: {target for target in imports[name] if target in modules and target != name} for name in modules}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_import_cycle_between_modules(graph) -> None:
    assert _cycles(graph) == []


def test_no_import_cycle_between_survey_packages(graph) -> None:
    parts: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        if module.startswith("survey"):
            parts[_part(module)].update(
                _part(t) for t in targets if t.startswith("survey") and _part(t) != _part(module)
            )
    assert _cycles(parts) == []


def test_every_survey_part_has_a_layer() -> None:
    parts = {_part(_module_name(path)) for path in (ROOT / "survey").rglob("*.py")}
    assert parts <= set(LAYERS), f"add to LAYERS and docs/architecture.md: {sorted(parts - set(LAYERS))}"


def test_survey_imports_never_point_up_a_layer(graph) -> None:
    upward = []
    for module, targets in graph.items():
        if not module.startswith("survey"):
            continue
        mine = _part(module)
        for target in targets:
            theirs = _part(target)
            if not target.startswith("survey") or theirs == mine:
                continue
            if LAYERS[theirs] > LAYERS[mine]:
                upward.append(f"{module} -> {target}")
            elif LAYERS[theirs] == LAYERS[mine] == 0 and CORE_ORDER.index(theirs) > CORE_ORDER.index(mine):
                upward.append(f"{module} -> {target}")
            elif LAYERS[theirs] == LAYERS[mine] and LAYERS[mine] > 0:
                upward.append(f"{module} -> {target} (same layer)")
    assert upward == []


@pytest.mark.parametrize("package", ["instruments", "analysis"])
def test_instruments_and_analysis_know_nothing_of_the_app(package) -> None:
    """They take DataFrames and files: no web framework, no database, no app code (a notebook can use them)."""
    modules = _modules()
    imports = _imports(modules)
    banned = ("flask", "flask_", "werkzeug", "sqlalchemy", "survey", "jinja2.ext")
    found = sorted(
        f"{name} imports {target}"
        for name in modules
        if name.split(".")[0] == package
        for target in imports[name]
        if target.split(".")[0] in banned or target.startswith(("flask", "survey"))
    )
    assert found == []


def test_instruments_import_nothing_from_analysis(graph) -> None:
    assert [
        f"{m} -> {t}" for m, ts in graph.items() if m.startswith("instruments") for t in ts if t.startswith("analysis")
    ] == []


def test_the_web_app_is_made_without_the_statistics_and_pdf_libraries(tmp_path: Path) -> None:
    """scipy and statsmodels load when figures are computed, WeasyPrint when a PDF is made, not in
    every web process: a gunicorn worker starts (and restarts) a second sooner, with less memory."""
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "SECRET_KEY": "x", "TESTING": True}
    settings["JOB_QUEUE_URL"] = "memory://"
    code = (
        f"import sys; from survey import create_app; create_app({settings!r}); "
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'scipy', 'statsmodels', 'weasyprint'}))"
    )
    root = Path(__file__).resolve().parents[1]
    made = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "[]"
