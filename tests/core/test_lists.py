"""Lists a deployment can set: built-in entries, added entries, labels per language, retirement."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from core.forms import Form
from core.lists import queries
from core.lists.fields import TermMultiField, TermSelectField
from core.lists.models import ListEntry
from core.lists.registry import define, spec

NAME = "test_kinds"
define(NAME, "Test kinds", (("cash", _l("Cash")), ("other", _l("Other"))), kept=("other",))


def _entry(session: Session, code: str, **values: object) -> ListEntry:
    entry = ListEntry(list_name=NAME, code=code, **values)
    session.add(entry)
    session.flush()
    queries.forget(session, NAME)
    return entry


def test_define_refuses_bad_codes_duplicates_and_a_second_different_list() -> None:
    with pytest.raises(ValueError, match="not a code"):
        define("bad list", "x", (("a", "A"),))
    with pytest.raises(ValueError, match="twice"):
        define("twice_list", "x", (("a", "A"), ("a", "B")))
    with pytest.raises(ValueError, match="kept"):
        define("kept_list", "x", (("a", "A"),), kept=("b",))
    with pytest.raises(ValueError, match="two different lists"):
        define(NAME, "Test kinds", (("cash", "Cash"),))
    assert define(NAME, "Test kinds", (("cash", "C"), ("other", "O")), kept=("other",))
    assert spec(NAME).builtin_codes == ("cash", "other")


def test_untouched_list_offers_its_built_in_entries_translated(request_ctx, db_session) -> None:
    assert queries.choices(db_session, NAME) == [("cash", "Cash"), ("other", "Other")]
    assert queries.label(db_session, NAME, "cash") == "Cash"
    assert queries.label(db_session, NAME, None) == ""
    assert queries.label(db_session, NAME, "gone") == "gone"


def test_added_entry_with_labels_per_language(request_ctx, db_session) -> None:
    _entry(db_session, "cash_for_work", added=True, labels={"en": "Cash for work", "fa": "نقد"})
    assert queries.choices(db_session, NAME)[-1] == ("cash_for_work", "Cash for work")
    assert queries.label(db_session, NAME, "cash_for_work", locale="fa_AF") == "نقد"
    assert queries.label(db_session, NAME, "cash_for_work", locale="ru") == "Cash for work"
    assert queries.known(db_session, NAME) == {"cash", "other", "cash_for_work"}


def test_a_label_set_for_a_language_replaces_the_built_in_one_there_only(
    request_ctx, db_session
) -> None:
    _entry(db_session, "cash", labels={"fa_AF": "پول نقد"})
    assert queries.label(db_session, NAME, "cash", locale="fa_AF") == "پول نقد"
    assert queries.label(db_session, NAME, "cash", locale="en") == "Cash"


def test_retired_entry_stays_readable_and_is_kept_only_where_held(request_ctx, db_session) -> None:
    _entry(db_session, "cash", retired=True)
    assert [code for code, _ in queries.choices(db_session, NAME)] == ["other"]
    assert [code for code, _ in queries.choices(db_session, NAME, keep=["cash"])] == [
        "cash",
        "other",
    ]
    assert queries.label(db_session, NAME, "cash") == "Cash"
    assert queries.offered(db_session, NAME) == {"other"}


def test_session_cache_is_forgotten_after_a_change(request_ctx, db_session) -> None:
    assert len(queries.terms(db_session, NAME)) == 2
    db_session.add(ListEntry(list_name=NAME, code="new_kind", added=True, labels={"en": "New"}))
    db_session.flush()
    assert len(queries.terms(db_session, NAME)) == 2
    queries.forget(db_session, NAME)
    assert len(queries.terms(db_session, NAME)) == 3


def test_built_in_label_follows_the_reader_s_language(app: Flask, db_session) -> None:
    define("test_papers", "Test papers", (("passport", _l("Passport")),))
    with app.test_request_context("/"):
        assert queries.label(db_session, "test_papers", "passport", locale="ru") == "Паспорт"
        with force_locale("ru"):
            assert queries.label(db_session, "test_papers", "passport") == "Паспорт"
        assert queries.label(db_session, "test_papers", "passport") == "Passport"


class _KindForm(Form):
    class Meta:
        csrf = False

    kind = TermSelectField("Kind", list_name=NAME, blank="Choose")
    kinds = TermMultiField("Kinds", list_name=NAME)


def test_fields_offer_active_entries_keep_held_retired_ones_and_refuse_others(
    app: Flask, db_session
) -> None:
    with app.test_request_context("/"):
        from core.db import get_session

        session = get_session()
        session.add(ListEntry(list_name=NAME, code="cash", retired=True))
        session.flush()
        fresh = _KindForm(formdata=None)
        assert [code for code, _ in fresh.kind.choices] == ["", "other"]
        held = _KindForm(formdata=None, data={"kind": "cash", "kinds": ["cash"]})
        assert [code for code, _ in held.kind.choices] == ["", "cash", "other"]
        assert [code for code, _ in held.kinds.choices] == ["cash", "other"]
        posted = _KindForm(formdata=MultiDict({"kind": "cash", "kinds": ["other"]}))
        assert not posted.validate()
        assert "kind" in posted.errors
        ok = _KindForm(formdata=MultiDict({"kind": "other", "kinds": ["other"]}))
        assert ok.validate(), ok.errors
        session.rollback()
