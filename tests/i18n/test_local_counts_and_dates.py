"""Counts in plural messages and the dates of plans, visits and screenings are written for the
reader: Persian digits and Solar Hijri for a Dari reader, never a raw ISO date."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from flask import render_template_string
from flask_babel import force_locale

from core.i18n.plurals import localise_count, ngettext

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DAYS = '{{ ngettext("%(num)d day left", "%(num)d days left", n) }}'


def test_a_template_count_is_in_persian_digits_for_a_dari_reader(app):
    with app.test_request_context(), force_locale("fa_AF"):
        text = render_template_string(DAYS, n=15)
    assert "۱۵" in text and "15" not in text


def test_a_template_count_stays_latin_in_english_and_russian(app):
    with app.test_request_context():
        with force_locale("en"):
            assert render_template_string(DAYS, n=15) == "15 days left"
        with force_locale("ru"):
            assert "15" in render_template_string(DAYS, n=15)


def test_a_flashed_count_is_in_persian_digits_for_a_dari_reader(app):
    with app.test_request_context(), force_locale("fa_AF"):
        text = ngettext("%(num)d session ended.", "%(num)d sessions ended.", 3)
    assert "۳" in text and "3" not in text


def test_only_the_count_changes_not_other_numbers_in_the_message(app):
    with app.test_request_context(), force_locale("fa_AF"):
        assert localise_count("7 (HW-2026-0007)", 7) == "۷ (HW-2026-0007)"
        assert localise_count("no count here", 7) == "no count here"


def test_a_date_as_text_is_solar_hijri_for_a_dari_reader(app):
    with app.test_request_context():
        with force_locale("fa_AF"):
            text = render_template_string("{{ d|datetext }}", d=date(2024, 3, 20))
        assert text == "۱ حمل ۱۴۰۳"
        with force_locale("en"):
            assert render_template_string("{{ d|datetext }}", d=date(2024, 3, 20)) == (
                "Mar 20, 2024"
            )


def test_no_template_shows_a_date_as_its_raw_iso_string():
    raw = re.compile(r"\b\w*(?:_on|_date|_at|day)\|string\b")
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if raw.search(line)
    ]
    assert found == []
