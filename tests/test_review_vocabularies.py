"""Second reader's check (issue 17): every ``|label("Name")`` a template uses names a registered
vocabulary. A name left over from a list that moved to ``core.lists`` (``ServiceType`` became
``|term("service_type")``) is a KeyError, i.e. a 500 on the page that shows it."""

from __future__ import annotations

import re
from pathlib import Path

from core.vocabulary import registered

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
USE = re.compile(r"""\|\s*label\(\s*["']([A-Za-z]+)["']\s*\)""")


def test_review_every_label_filter_names_a_registered_vocabulary(app) -> None:
    used = {
        name: path.relative_to(TEMPLATES).as_posix()
        for path in TEMPLATES.rglob("*.html")
        for name in USE.findall(path.read_text(encoding="utf-8"))
    }
    known = registered(app)
    assert {n: p for n, p in used.items() if n not in known} == {}
