"""The layers: core at the bottom importing no app, and no import cycle between apps.

Every ``import``/``from … import`` in the apps' source counts, including those inside functions (tests, migrations
and management commands' test data excluded). The matching engine (``matching/engine``) is plain Python with no
Django: a library any app may import, counted as its own bottom layer. ``make test`` fails on a new cycle or on core
importing an app; the README lists the layers this test enforces.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "accounts", "regions", "cycles", "units", "teams", "needs", "calls", "matching", "notices",
        "registrations", "projects", "reviews", "fieldwork", "replacements", "evaluations", "coordination", "reports",
        "portal"]
LIBRARIES = {"matching.engine": "engine"}  # importable by any app, imports no app
SKIP_PARTS = {"tests", "migrations", "__pycache__"}


def _module_of(name: str) -> str | None:
    for prefix, node in LIBRARIES.items():
        if name == prefix or name.startswith(prefix + "."):
            return node
    head = name.split(".")[0]
    return head if head in APPS else None


def _owner(relative: Path) -> str:
    dotted = ".".join(relative.with_suffix("").parts)
    return _module_of(dotted) or relative.parts[0]


def import_graph() -> dict[str, dict[str, list[str]]]:
    """{app: {imported app: [where, …]}} over every import statement in the apps' source."""
    graph: dict[str, dict[str, list[str]]] = {}
    for app in APPS:
        folder = ROOT / app
        if not folder.exists():
            continue
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(ROOT)
            if SKIP_PARTS & set(relative.parts) or relative.name == "testing.py":
                continue
            owner = _owner(relative)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                for name in names:
                    target = _module_of(name)
                    if target and target != owner:
                        graph.setdefault(owner, {}).setdefault(target, []).append(
                            "%s:%d" % (relative.as_posix(), node.lineno))
    return graph


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components with more than one app (Tarjan)."""
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return result


def test_core_imports_no_app():
    graph = import_graph()
    wrong = {target: where for target, where in graph.get("core", {}).items() if target != "engine"}
    assert not wrong, "core must import no app: %s" % wrong


def test_the_engine_imports_no_app_and_no_django():
    graph = import_graph()
    assert not graph.get("engine"), graph.get("engine")
    for path in (ROOT / "matching" / "engine").rglob("*.py"):
        assert "import django" not in path.read_text(encoding="utf-8") and "from django" not in path.read_text(
            encoding="utf-8"), path


def test_the_apps_import_graph_has_no_cycle():
    graph = import_graph()
    cycles = _cycles(graph)
    detail = []
    for component in cycles:
        for app in component:
            for target, where in graph.get(app, {}).items():
                if target in component:
                    detail.append("%s → %s: %s" % (app, target, ", ".join(where[:3])))
    assert not cycles, "import cycles between apps:\n" + "\n".join(detail)


def test_no_app_imports_the_portal():
    """The portal (landing, home, overview, inbox, demo data) is the top layer."""
    graph = import_graph()
    importers = {app: where["portal"] for app, where in graph.items() if "portal" in where}
    assert not importers, importers
