"""The project's import graph, read from the source (no module is imported): who imports whom."""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("coachapp", "crm", "coaching", "integrations", "sfemulator")


@dataclass(frozen=True)
class Edge:
    source: str  # the importing module
    target: str  # the imported module (or name within it)
    lazy: bool  # inside a function: runs only when called


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def edges_of(path: Path) -> list[Edge]:
    module = module_name(path)
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[Edge] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend(Edge(module, alias.name, lazy) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, child, path.name == "__init__.py")
                found.extend(Edge(module, f"{target}.{alias.name}", lazy) for alias in child.names)
                found.append(Edge(module, target, lazy))
            visit(child, inner)

    visit(tree, False)
    return found


def project_files() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def all_edges() -> list[Edge]:
    return [edge for path in project_files() for edge in edges_of(path)]


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")
