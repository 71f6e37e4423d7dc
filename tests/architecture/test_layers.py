"""Folder names are the architecture: each layer imports only the layers below it, and nothing goes round in a circle.

crm (the CRM mirror) is the ground floor; integrations writes it and sfemulator stands in for Salesforce in
tests and the demo; the coaching engine reads crm and knows nothing of Salesforce; the delivery apps (portal,
API, digests) sit on the engine.
"""

import pytest

from tests.architecture.imports import all_edges, module_name, project_files, within

EDGES = all_edges()
MODULES = {module_name(path) for path in project_files()}
ENGINE = ("coaching.metrics", "coaching.gaps", "coaching.agendas", "coaching.models", "coaching.tasks")


def imports_from(source: str, target: str) -> list[str]:
    return sorted({f"{e.source} -> {e.target}" for e in EDGES if within(e.source, source) and within(e.target, target)})


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("integrations", "coaching"),
        ("crm", "coaching"),
        ("crm", "integrations"),
        ("crm", "sfemulator"),
        ("sfemulator", "django"),
        ("sfemulator", "crm"),
        ("sfemulator", "coaching"),
        ("sfemulator", "integrations"),
        ("sfemulator", "coachapp"),
        *((engine, "integrations") for engine in ENGINE),
        *((engine, "sfemulator") for engine in ENGINE),
        *((engine, delivery) for engine in ENGINE for delivery in ("coaching.portal", "coaching.api")),
        ("coaching", "sfemulator"),
    ],
)
def test_a_layer_never_imports_one_above_it_or_beside_it(source: str, forbidden: str) -> None:
    assert imports_from(source, forbidden) == []


def test_only_integrations_reaches_the_emulator_and_only_through_its_transport_and_commands() -> None:
    users = {e.source for e in EDGES if within(e.target, "sfemulator") and not within(e.source, "sfemulator")}
    assert users <= {
        "integrations.salesforce.transport",
        "integrations.management.commands.generate_org",
        "integrations.management.commands.run_emulator",
        "integrations.management.commands.add_org",
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each a circle of imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                connect(nxt)
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
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def _module_of(name: str) -> str | None:
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def test_no_module_imports_itself_round_a_circle_not_even_for_type_hints() -> None:
    graph: dict[str, set[str]] = {}
    for edge in EDGES:
        target = _module_of(edge.target)
        # A package's __init__ importing its own submodules is how it re-exports them, not a circle.
        if edge.lazy or target is None or target == edge.source or within(target, edge.source):
            continue
        graph.setdefault(edge.source, set()).add(target)
    assert _cycles(graph) == []


def test_the_graph_reader_sees_a_circle_and_a_forbidden_import() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert imports_from("integrations", "crm"), "integrations does import the CRM mirror it writes"
