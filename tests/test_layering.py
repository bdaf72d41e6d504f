"""The package's import graph: the command line sits on top (nothing in the library imports it), and no two
modules import each other, directly or through others (imports inside functions count)."""
import ast
from pathlib import Path

import sdsclip

ROOT = Path(sdsclip.__file__).parent


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


def cycles(g):
    found, state = [], {}
    def visit(m, stack):
        state[m] = "open"
        for n in g[m]:
            if state.get(n) == "open":
                found.append(stack[stack.index(n):] + [n])
            elif n not in state:
                visit(n, stack + [n])
        state[m] = "done"
    for m in sorted(g):
        if m not in state:
            visit(m, [m])
    return found


def test_nothing_in_the_library_imports_the_command_line():
    g = graph()
    assert [m for m, deps in g.items() if "sdsclip.cli" in deps] == []


def test_no_import_cycles():
    assert cycles(graph()) == []
