"""Right to left: the stylesheets use logical properties only (a physical side needs an
allow-list comment on its line saying why), and identifiers keep their own direction."""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup

from core.extensions import isolate

STYLESHEETS = sorted((Path(__file__).resolve().parents[2] / "static" / "css").glob("*.css"))
ALLOW = "physical:"  # e.g. /* physical: the print margin of the paper */

PHYSICAL = re.compile(
    r"""(?<![\w-])(
        (margin|padding|border|inset|scroll-margin|scroll-padding)-(left|right)(-[a-z]+)?
      | border-(top|bottom)-(left|right)-radius
      | (left|right)\s*:
      | (text-align|float|clear|caption-side|justify-self|justify-content)\s*:\s*(left|right)
      | background-position(-x)?\s*:[^;]*\b(left|right)\b
      | transform-origin\s*:[^;]*\b(left|right)\b
    )""",
    re.VERBOSE,
)


def _without_comments(css: str) -> str:
    """The stylesheet with its comments blanked (line numbers kept)."""
    return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), css, flags=re.S)


def _findings(css: str) -> list[str]:
    found = []
    lines = css.splitlines()
    for number, code in enumerate(_without_comments(css).splitlines(), start=1):
        if ALLOW in lines[number - 1]:
            continue
        for match in PHYSICAL.finditer(code):
            found.append(f"{number}: {match.group(0)}")
    return found


def test_the_scanner_catches_physical_properties():
    css = "\n".join(
        [
            ".a { margin-left: 1rem; }",
            ".b { padding-right: 0; }",
            ".c { border-left: 1px solid; }",
            ".d { left: 0; }",
            ".e { text-align: right; }",
            ".f { float: left; }",
            ".g { border-top-right-radius: 2px; }",
            ".h { margin-inline-start: 1rem; text-align: start; inset-inline-end: 0; }",
            ".i { left: 0; } /* physical: a tooltip arrow drawn on the left edge */",
        ]
    )
    assert [f.split(":")[0] for f in _findings(css)] == ["1", "2", "3", "4", "5", "6", "7"]


def test_stylesheets_use_logical_properties_only():
    assert STYLESHEETS
    problems = {path.name: _findings(path.read_text()) for path in STYLESHEETS}
    assert {name: found for name, found in problems.items() if found} == {}


def test_directional_glyphs_are_mirrored_in_right_to_left():
    css = "\n".join(path.read_text() for path in STYLESHEETS)
    assert re.search(r'\[dir="rtl"\] \.back-link::before[^{]*\{[^}]*scaleX\(-1\)', css)


def test_isolation_of_codes_and_names():
    assert isolate("KBL-2026-0001") == Markup("<bdi>KBL-2026-0001</bdi>")
    assert isolate("+93 70 123 4567", "ltr") == Markup('<bdi dir="ltr">+93 70 123 4567</bdi>')
    assert isolate("<b>x</b>") == Markup("<bdi>&lt;b&gt;x&lt;/b&gt;</bdi>")
    assert isolate(None) == Markup("") and isolate("") == Markup("")
