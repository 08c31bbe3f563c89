"""The import graph is a clean DAG: core -> frontends/tools, never back; sympy/graphviz stay local."""

from __future__ import annotations

import ast
import pathlib

PKG = pathlib.Path(__file__).resolve().parent.parent / "tinygrad_rnn"

CORE = {"_shapes", "_io", "tape", "engine", "ops", "tensor", "functional", "random", "nn", "rnn", "optim"}
TOOLS = {"gradcheck", "symbolic", "viz", "convert", "tasks", "train"}
FRONTENDS = {"torch", "mindspore"}


def _module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: pathlib.Path) -> list[tuple[str, bool]]:
    """(absolute module imported, imported at module top level?) for each import in the file."""
    mod = _module_name(path)
    pkg_parts = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg_parts[: len(pkg_parts) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
                if not node.module:
                    out += [(f"{name}.{a.name}", id(node) in top) for a in node.names]
                    continue
            else:
                name = node.module or ""
            out.append((name, id(node) in top))
    return out


def _room(mod: str) -> str:
    parts = mod.split(".")
    if len(parts) == 1:
        return "root"
    head = parts[1]
    if head in FRONTENDS:
        return head
    if head in TOOLS or head in {"cli", "__main__", "commands"}:
        return "tool:" + head
    return "core"


def _graph() -> dict[str, set[str]]:
    g: dict[str, set[str]] = {}
    for path in PKG.rglob("*.py"):
        mod = _module_name(path)
        g[mod] = {m for m, _ in _imports(path) if m.startswith("tinygrad_rnn")}
    return g


def test_core_never_imports_frontends_or_tools():
    for mod, deps in _graph().items():
        if _room(mod) in ("core", "root"):
            bad = [d for d in deps if _room(d) not in ("core",) and d != "tinygrad_rnn"]
            assert not bad, f"{mod} (core) imports {bad}"


def test_frontends_never_import_each_other_or_tools():
    for mod, deps in _graph().items():
        room = _room(mod)
        if room in FRONTENDS:
            other = FRONTENDS - {room}
            bad = [d for d in deps if _room(d) in other]
            # gradcheck is exposed as torch.autograd.gradcheck: the one tool a frontend re-exports
            bad += [d for d in deps if _room(d).startswith("tool:") and d != "tinygrad_rnn.gradcheck"]
            assert not bad, f"{mod} imports {bad}"


def test_import_graph_is_acyclic():
    g = _graph()
    # resolve "from . import x" style names that refer to modules
    state: dict[str, int] = {}
    for start in g:
        if state.get(start):
            continue
        stack = [(start, iter(sorted(g.get(start, ()))))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                continue
            if nxt not in g or nxt == node:
                continue
            # a package importing its own submodules (and the reverse, via relative "from .")
            # is how Python packages are built; only module-to-module cycles count
            if nxt.startswith(node + ".") or node.startswith(nxt + "."):
                continue
            assert state.get(nxt) != 1, f"import cycle through {node} -> {nxt}"
            if not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(sorted(g.get(nxt, ())))))


def test_heavy_optional_libraries_are_imported_only_where_used():
    allowed = {"sympy": {"tinygrad_rnn.symbolic"}, "graphviz": {"tinygrad_rnn.viz.dot"}}
    for path in PKG.rglob("*.py"):
        mod = _module_name(path)
        for name, at_top in _imports(path):
            root = name.split(".")[0]
            if root in allowed:
                assert mod in allowed[root], f"{mod} imports {root}"
                assert not at_top, f"{mod} imports {root} at module level; import it where used"
            assert root not in ("torch", "mindspore"), f"{mod} imports the real {root}"
