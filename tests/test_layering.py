"""The package's layers: the library at the bottom, the miniature testbed (`sdsclip.miniworld`) and the reproduction
harness (`sdsclip.reproduce`) above it and apart from each other, the command line on top. Imports go down only, and
no two modules import each other, directly or through others (imports inside functions count)."""
import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import sdsclip

ROOT = Path(sdsclip.__file__).parent
TESTBED, HARNESS, CLI = "sdsclip.miniworld", "sdsclip.reproduce", "sdsclip.cli"


def module_name(path):
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path):
    name, found = module_name(path), set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in found if m.startswith("sdsclip")}


def graph():
    modules = {module_name(p): p for p in ROOT.rglob("*.py") if p.name != "_modidx.py"}
    return {m: sorted(i for i in imports_of(p) if i in modules and i != m) for m, p in modules.items()}


def layer(module):
    for prefix in (CLI, HARNESS, TESTBED):
        if module == prefix or module.startswith(prefix + "."): return prefix
    return "library"


ALLOWED = {"library": {"library"}, TESTBED: {"library", TESTBED}, HARNESS: {"library", HARNESS},
           CLI: {"library", TESTBED, HARNESS, CLI}}


def test_imports_go_down_only():
    wrong = [f"{m} imports {d}" for m, deps in graph().items() for d in deps if layer(d) not in ALLOWED[layer(m)]]
    assert wrong == []


def test_the_layers_are_all_there():
    assert {layer(m) for m in graph()} == set(ALLOWED)


def test_no_import_cycles():
    try:
        TopologicalSorter(graph()).prepare()
    except CycleError as e:
        pytest.fail(f"import cycle: {' -> '.join(e.args[1])}")
