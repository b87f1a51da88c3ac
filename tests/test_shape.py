"""The module shape (docs/architecture.md) holds in every package: short modules and functions,
blueprints declared and wired in blueprint.py, views that do not import their blueprint, and
domain exceptions rooted in core.exceptions."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("audit", "auth", "casework", "core", "referrals", "reports")
DOMAINS = ("audit", "auth", "casework", "referrals", "reports")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


def _modules(packages: tuple[str, ...] = PACKAGES) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def _is_demo(path: Path) -> bool:
    return path.name == "demo.py" or "demo" in path.relative_to(ROOT).parts[:-1]


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_module_over_400_lines():
    long = {
        _name(p): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_over_50_lines_outside_demo_data():
    long = {}
    for path in _modules():
        if _is_demo(path):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{_name(path)}:{node.name}"] = length
    assert long == {}


def test_blueprints_are_declared_only_in_blueprint_modules():
    elsewhere = [
        _name(p)
        for p in _modules()
        if p.name != "blueprint.py" and "Blueprint(" in p.read_text(encoding="utf-8")
    ]
    assert elsewhere == []


def test_views_do_not_import_their_blueprint_nor_register_themselves():
    """URL rules live in blueprint.py, naming each view: no view module is imported only for
    the routes its decorators would register, and no route module wires anything."""
    offenders = []
    for path in _modules():
        if path.name in {"blueprint.py", "__init__.py"}:  # init_app registers the blueprint
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith(".blueprint"):
                offenders.append(f"{_name(path)} imports {node.module}")
            if isinstance(node, ast.FunctionDef) and node.name == "_setup":
                offenders.append(f"{_name(path)} defines _setup")
            exports = isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            )
            if exports and path.name.endswith("routes.py"):
                offenders.append(f"{_name(path)} re-exports through __all__")
    assert offenders == []


def test_every_package_init_holds_only_init_app():
    """Each package's __init__.py is its wiring: init_app and nothing else public."""
    extra = []
    for init in _modules():
        if init.name != "__init__.py" or init.parent.name in {"filetypes", "hsds", "crypto"}:
            continue
        tree = ast.parse(init.read_text(encoding="utf-8"))
        defined = [  # init_app, and the private steps it is split into
            n.name
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.ClassDef) and not n.name.startswith("_")
        ]
        if init.parent.parent == ROOT and init.parent.name == "core":
            continue  # core is the platform, not a domain package
        if defined not in ([], ["init_app"]):
            extra.append(f"{_name(init)}: {defined}")
    assert extra == []


BUILTIN_EXCEPTIONS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


@pytest.mark.parametrize("package", DOMAINS)
def test_domain_exceptions_derive_from_core(package):
    """No exception class in a domain package derives directly from a built-in exception:
    each has a base in core.exceptions (ServiceError for what services refuse)."""
    direct = []
    for path in _modules((package,)):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                if bases & BUILTIN_EXCEPTIONS:
                    direct.append(f"{_name(path)}:{node.name}")
    assert direct == []
