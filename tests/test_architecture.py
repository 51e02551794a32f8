"""The shape of the house (docs/architecture.md): imports go one way, from interfaces down to the
dataset, with no circle; no room grows too big; nothing private is borrowed across modules."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "corridor"

#: lowest first; a module may import its own layer (without a circle) or lower ones, never higher
LAYERS: list[tuple[str, ...]] = [
    ("corridor.errors", "corridor.validate", "corridor.settings", "corridor.formats.json"),
    ("corridor.network",),
    ("corridor.assignment", "corridor.scenarios", "corridor.names", "corridor.graph", "corridor.search",
     "corridor.formats", "corridor.routing_costs"),
    ("corridor.routing", "corridor.maps", "corridor.parallel", "corridor.store"),
    ("corridor.freight", "corridor.energy"),
    ("corridor.sweep", "corridor.sensitivity"),
    ("corridor.cli", "corridor.api"),
    ("corridor",),
]
#: compiled kernels (``assignment/_kernels*.py``) are long by nature, and share their compiled helpers


def _kernel(path: Path) -> bool:
    return path.name.startswith("_kernels")
MAX_FILE_LINES = 450
MAX_FUNCTION_LINES = 60


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int:
    best, level = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, level = len(p), i
    assert level >= 0, f"{module} belongs to no layer: add it to LAYERS and docs/architecture.md"
    return level


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names, line) for every import in the file, function-local ones too."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [a.name for a in node.names]
            if target.startswith("corridor"):
                # `from . import x` names submodules
                subs = [f"{target}.{n}" for n in names if (SRC.parent / f"{target}.{n}".replace(".", "/")).with_suffix(".py").exists()
                        or (SRC.parent / f"{target}.{n}".replace(".", "/")).is_dir()]
                out += [(s, [], node.lineno) for s in subs] or [(target, names, node.lineno)]
        elif isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names if a.name.startswith("corridor")]
    return out


FILES = sorted(SRC.rglob("*.py"))


def _graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for path in FILES:
        for target, _, _ in _imports(path):
            g.add_edge(_module(path), target)
    return g


def test_no_import_circle() -> None:
    g = _graph()
    g.remove_node("corridor")  # the package root re-exports the public API: it is the top, imported by none
    cycles = list(nx.simple_cycles(g))
    assert not cycles, "import circles: " + "; ".join(" → ".join(c + [c[0]]) for c in cycles[:5])


def test_imports_go_down_the_layers() -> None:
    wrong = []
    for path in FILES:
        here = _module(path)
        for target, _, line in _imports(path):
            if _layer(target) > _layer(here):
                wrong.append(f"{path.relative_to(SRC)}:{line} imports {target}")
    assert not wrong, "a lower layer imports a higher one:\n" + "\n".join(wrong)


def test_nothing_private_is_borrowed() -> None:
    borrowed = [f"{path.relative_to(SRC)}:{line} takes {name} from {target}"
                for path in FILES if not _kernel(path) for target, names, line in _imports(path)
                for name in names if name.startswith("_") and not name.startswith("__")]
    assert not borrowed, "\n".join(borrowed)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_rooms_stay_small(path: Path) -> None:
    if _kernel(path):
        return
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_FILE_LINES, f"{path.name} has {len(text.splitlines())} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body[1:] if isinstance(node.body[0], ast.Expr) and len(node.body) > 1 else node.body
            length = (node.end_lineno or 0) - body[0].lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{node.name} (line {node.lineno}) is {length} lines long"
