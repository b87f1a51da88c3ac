"""The generator package keeps the project's module shape (tests/test_shape.py): modules of
at most 400 lines, functions of at most 50."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.test_shape import MAX_FUNCTION_LINES, MAX_MODULE_LINES

PACKAGE = Path(__file__).resolve().parents[2] / "bench" / "generate"


def test_the_generator_is_a_package_of_short_modules_and_functions() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) > 5
    long = {}
    for path in modules:
        text = path.read_text(encoding="utf-8")
        if (lines := len(text.splitlines())) > MAX_MODULE_LINES:
            long[path.name] = lines
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.name}:{node.name}"] = length
    assert long == {}
