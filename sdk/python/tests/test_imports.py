"""The client's modules import each other in one direction: no module of the package reaches
itself through its imports (those under `if TYPE_CHECKING:` included, since they tie the modules
just the same). Read from the source with `ast`, nothing imported."""

import ast
import pathlib
import unittest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "sightline"


def imports_of(path: pathlib.Path) -> set:
    """Modules of the package that `path` imports (relative `from .x import` and `sightline.x`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif node.level == 0 and node.module and node.module.startswith("sightline."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("sightline."))
    return found


def find_cycle(graph: dict):
    """One import circle as a list of modules (first repeated at the end), or None."""
    state = {}
    stack = []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


class ImportDirectionTest(unittest.TestCase):
    def test_no_module_imports_itself_through_others(self):
        modules = {p.stem: p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
        graph = {name: imports_of(path) & set(modules) for name, path in modules.items()}
        # The graph is the package's: the client imports spans, exporter, sampling and transport.
        self.assertEqual(graph["_client"], {"_exporter", "_sampling", "_span", "_transport"})
        self.assertIsNone(find_cycle(graph), "import circle: " + " -> ".join(find_cycle(graph) or []))

    def test_a_circle_is_found(self):
        # The check itself: a graph with a circle is named, one without is not.
        self.assertEqual(find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}), ["a", "b", "c", "a"])
        self.assertIsNone(find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}))


if __name__ == "__main__":
    unittest.main()
