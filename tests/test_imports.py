"""The import graph is a clean DAG: core -> frontends/tools, never back; sympy/graphviz stay local."""

from __future__ import annotations

import ast
import importlib
import pathlib

PKG = pathlib.Path(__file__).resolve().parent.parent / "tinygrad_rnn"

CORE = {
    "_shapes",
    "_io",
    "tape",
    "product_sum",
    "engine",
    "ops",
    "tensor",
    "functional",
    "random",
    "nn",
    "rnn",
    "optim",
}
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
    allowed = {"sympy": "tinygrad_rnn.symbolic", "graphviz": "tinygrad_rnn.viz.dot"}
    for path in PKG.rglob("*.py"):
        mod = _module_name(path)
        for name, at_top in _imports(path):
            root = name.split(".")[0]
            if root in allowed:
                assert mod == allowed[root] or mod.startswith(allowed[root] + "."), f"{mod} imports {root}"
                assert not at_top, f"{mod} imports {root} at module level; import it where used"
            assert root not in ("torch", "mindspore"), f"{mod} imports the real {root}"


# ---------------------------------------------------------------------------------------------
# every module of the core and the tools has a test file
# ---------------------------------------------------------------------------------------------
TESTS = PKG.parent / "tests"

# The few modules whose tests live in a file named after something else (a pattern each, as glob).
TESTED_ELSEWHERE = {
    # the package root only re-exports: test_package_root_exports_resolve below
    "__init__": "test_imports.py",
    # `python -m tinygrad_rnn train ...` runs in a fresh process in test_train.py (and `convert --help`
    # in test_convert.py)
    "__main__": "test_train.py",
    # safe saving and loading of user files (atomic writes, no pickle, tampered files)
    "_io": "test_files_safety.py",
    # broadcasting, unbroadcast and the ShapeError facts, checked through the Tensor's operators
    "_shapes": "test_tensor.py",
    # manual_seed / generator, checked with the dropout masks drawn from it
    "random": "test_functional.py",
    # the subcommands of the tinygrad-rnn command (cli.py): test_cli.py (every subcommand's error
    # convention) and test_cli_gradcheck.py; train, convert and graph also in test_train/test_convert/test_viz
    "commands": "test_cli*.py",
}


def _core_and_tool_modules() -> set[str]:
    """tinygrad_rnn/*.py by stem, plus every sub-package that is not a frontend (viz, train, nn, ops, ...)."""
    names = {p.stem for p in PKG.glob("*.py")}
    names |= {d.name for d in PKG.iterdir() if (d / "__init__.py").is_file() and d.name not in FRONTENDS}
    return names


def _own_test_files(name: str) -> list[pathlib.Path]:
    """tests/test_<name>*.py (a private module `_x` may also be tested in test_x*.py)."""
    return sorted(set(TESTS.glob(f"test_{name}*.py")) | set(TESTS.glob(f"test_{name.lstrip('_')}*.py")))


def test_every_core_and_tool_module_has_a_test_file():
    modules = _core_and_tool_modules()
    assert {
        "tensor",
        "engine",
        "ops",
        "nn",
        "viz",
        "train",
        "commands",
        "cli",
    } <= modules  # the scan sees them
    missing = []
    for name in sorted(modules):
        if name in TESTED_ELSEWHERE:
            if not list(TESTS.glob(TESTED_ELSEWHERE[name])):
                missing.append(f"{name} (no tests/{TESTED_ELSEWHERE[name]})")
        elif not _own_test_files(name):
            missing.append(f"{name} (no tests/test_{name}*.py)")
    assert not missing, f"modules without a test file: {missing}"


def test_the_tested_elsewhere_mapping_is_not_stale():
    modules = _core_and_tool_modules()
    for name in TESTED_ELSEWHERE:
        assert name in modules, f"{name} is mapped but no longer a module"
        if not name.startswith("__"):
            own = _own_test_files(name)
            assert not own, f"{name} now has its own test file {own}: drop it from TESTED_ELSEWHERE"


def test_package_root_exports_resolve():
    import tinygrad_rnn

    tape = importlib.import_module("tinygrad_rnn.tape")
    tensor = importlib.import_module("tinygrad_rnn.tensor")  # tinygrad_rnn.tensor is the function
    for name in tinygrad_rnn.__all__:
        assert getattr(tinygrad_rnn, name, None) is not None, name
    assert tinygrad_rnn.Tensor is tensor.Tensor and tinygrad_rnn.grad is tensor.grad
    assert tinygrad_rnn.no_grad is tape.no_grad
    assert tinygrad_rnn.__version__.count(".") == 2


# ---------------------------------------------------------------------------------------------
# no module imports another module's private names
# ---------------------------------------------------------------------------------------------
def _is_module(package: str, name: str) -> bool:
    base = PKG.parent.joinpath(*package.split("."), name)
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _private_name_imports(mod: str, is_package: bool, source: str) -> list[tuple[int, str, str]]:
    """(line, source module, name) for each `from X import _y` with X inside tinygrad_rnn and _y not a
    module. Dunder names, private modules (`from . import _check`) and public names under a private
    alias (`import x as _x`, `from .a import b as _b`) are fine."""
    pkg_parts = mod.split(".") if is_package else mod.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = pkg_parts[: len(pkg_parts) - node.level + 1]
            src = ".".join(base + ([node.module] if node.module else []))
        else:
            src = node.module or ""
        if src != "tinygrad_rnn" and not src.startswith("tinygrad_rnn."):
            continue
        for alias in node.names:
            n = alias.name
            if n.startswith("_") and not n.startswith("__") and not _is_module(src, n):
                found.append((node.lineno, src, n))
    return found


def test_private_import_scan_tells_names_from_modules():
    src = "\n".join(
        [
            "from . import _check",  # a private module: fine
            "from .._shapes import broadcast_error",  # a public name of a private module: fine
            "from .tape import make_tensor as _make_tensor",  # a private alias: fine
            "from .. import __version__",  # dunder: fine
            "from numpy import _NoValue",  # not ours
            "from ..tape import _Mode",  # a private name: flagged
            "from tinygrad_rnn.torch._dtype import _x, ok",  # absolute, flagged
        ]
    )
    found = _private_name_imports("tinygrad_rnn.torch.example", False, src)
    assert found == [(6, "tinygrad_rnn.tape", "_Mode"), (7, "tinygrad_rnn.torch._dtype", "_x")]
    # in a package's __init__, "." is the package itself
    assert _private_name_imports(
        "tinygrad_rnn.torch", True, "from . import _dtype\nfrom ._dtype import _y"
    ) == [(2, "tinygrad_rnn.torch._dtype", "_y")]


def test_no_module_imports_a_private_name_from_another():
    bad = []
    for path in sorted(PKG.rglob("*.py")):
        for line, src, name in _private_name_imports(
            _module_name(path), path.name == "__init__.py", path.read_text()
        ):
            bad.append(f"{path.relative_to(PKG.parent)}:{line}: from {src} import {name}")
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)
