"""What import-linter's contracts (pyproject.toml) cannot say about the import graph.

The graph is grimp's, built like lint-imports builds it: every import counts, those inside
functions too; only `if TYPE_CHECKING:` imports (annotations) are left out.
"""

from __future__ import annotations

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("tracker", cache_dir=None, exclude_type_checking_imports=True)


def cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """One import chain per module-level cycle: a -> b -> ... -> a."""
    found: list[tuple[str, ...]] = []
    seen: set[frozenset[str]] = set()
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is None:
                continue
            cycle = (importer, *back)
            if frozenset(cycle) not in seen:
                seen.add(frozenset(cycle))
                found.append(cycle)
    return found


def test_the_graph_holds_every_package(graph):
    """A package the graph missed (e.g. a folder without __init__.py) would escape the checks."""
    for module in ("tracker.records.adapter", "tracker.auditlog.views", "tracker.home.views"):
        assert module in graph.modules


def test_no_module_level_import_cycle(graph):
    found = cycles(graph)
    assert found == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_nothing_inside_the_package_imports_its_root(graph):
    """tracker/__init__.py (create_app) imports every layer; importing it back from below
    is a cycle through the whole app (worker processes get the factory from the app)."""
    assert graph.find_modules_that_directly_import("tracker") == set()


def test_cycle_finder_finds_a_cycle():
    """The check above can fail: a two-module cycle and a longer one are both reported."""
    g = grimp.ImportGraph()
    for a, b in (("p.a", "p.b"), ("p.b", "p.a"), ("p.c", "p.d"), ("p.d", "p.e"), ("p.e", "p.c")):
        g.add_import(importer=a, imported=b)
    assert sorted(map(frozenset, cycles(g))) == sorted(
        [frozenset({"p.a", "p.b"}), frozenset({"p.c", "p.d", "p.e"})]
    )
