"""Finding a person: the search is posted (the term stays out of addresses and logs), then
redirected to a result page addressed by a short-lived search id (post, redirect, get)."""

from __future__ import annotations

import re
from datetime import date

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from auth.queries import user_names
from auth.sessions import current_session_row
from casework import queries
from casework.forms import RegistrationForm, SearchForm
from casework.models import Case
from casework.searches import SearchGoneError, keep_results, kept_search, view_results
from core.clock import utcnow
from core.crypto import SearchTooBroadError
from core.db import get_read_session, get_session
from core.i18n.digits import to_ascii
from core.permissions import Permission
from core.security import require, require_actor

_YEAR = re.compile(r"[0-9]{4}")
_SEARCH_ID = re.compile(r"[A-Za-z0-9_-]{16,32}")


def _date_or_year(form: SearchForm) -> date | int | None:
    """The date (YYYY-MM-DD) or year typed in a date-of-birth search; None and an error if
    it is neither."""
    text = to_ascii(form.term.data or "").strip()
    if _YEAR.fullmatch(text) and 1900 <= int(text) <= utcnow().year:
        return int(text)
    try:
        return date.fromisoformat(text)
    except ValueError:
        form.term.errors = [
            _("Write the date as YYYY-MM-DD, e.g. 1994-03-15, or only the year, e.g. 1998.")
        ]
        return None


def _found(form: SearchForm) -> list[Case] | None:
    """The cases the posted search finds, or None with the error on the form."""
    kind = form.kind.data or "name"
    term: str | date | int | None = (form.term.data or "").strip()
    if kind == "date_of_birth":
        term = _date_or_year(form)
    if term is None:
        return None
    try:
        return queries.search_cases(
            get_session(), require_actor(), kind, term, candidates_from=get_read_session()
        )
    except SearchTooBroadError as broad:
        form.term.errors = [_too_broad(kind, broad)]
        return None


def _too_broad(kind: str, broad: SearchTooBroadError) -> str:
    """How a refused search is answered: for a name, how many match at least (a result page's
    worth) and how to narrow it."""
    if kind == "name" and broad.at_least is not None:
        return ngettext(
            "More than %(num)d person matches this name. Add another name, or search by "
            "date of birth.",
            "More than %(num)d people match this name. Add another name, or search by "
            "date of birth.",
            broad.at_least,
        )
    return _("Too many people match. Add a family name or another detail.")


@require(Permission.PERSON_SEARCH)
def search() -> ResponseReturnValue:
    """Run the posted search and send the browser to its result page (303)."""
    form = SearchForm()
    results = _found(form) if form.validate_on_submit() else None
    if results is None:
        return render_template("casework/search.html", form=form, results=None)
    session_row = current_session_row(get_session())
    if not results or session_row is None:
        return _no_redirect(form, results)
    search_id = keep_results(
        get_session(), session_row.token_hash, form.kind.data or "name", results
    )
    return redirect(url_for("casework.search_results", search_id=search_id), 303)


def _no_redirect(form: SearchForm, results: list[Case]) -> ResponseReturnValue:
    """Nothing found: say so on this response, offering to register the person by the name
    typed (carried in a posted form, never in an address; nothing is kept)."""
    offer = require_actor().can(Permission.CASE_CREATE)
    name = (form.term.data or "").strip() if offer and form.kind.data == "name" else None
    names = user_names(get_session(), {c.assigned_to_id for c in results})
    return render_template(
        "casework/search.html",
        form=form,
        results=results,
        names=names,
        offer_registration=offer,
        register_name=name,
    )


@require(Permission.PERSON_SEARCH)
def results(search_id: str) -> ResponseReturnValue:
    """The result page of a search of this session, access checked again on every view."""
    db = get_session()
    session_row = current_session_row(db)
    try:
        if session_row is None or not _SEARCH_ID.fullmatch(search_id):
            raise SearchGoneError(expired=False)
        kept = kept_search(db, search_id, session_row.token_hash)
    except SearchGoneError as gone:
        return render_template("casework/search.html", form=SearchForm(), gone=True), (
            410 if gone.expired else 404
        )
    cases = view_results(db, require_actor(), kept)
    form = SearchForm()
    form.kind.data = kept.kind
    names = user_names(db, {c.assigned_to_id for c in cases})
    return render_template("casework/search.html", form=form, results=cases, names=names)


def prefilled_registration() -> RegistrationForm | None:
    """The registration form with only the name a search carried over ("Register this
    person"), when the request asks for that; it is shown, never saved."""
    if request.method != "POST" or request.form.get("prefill") != "1":
        return None
    name = (request.form.get("name_original") or "").strip()[:200]
    return RegistrationForm(formdata=None, data={"name_original": name})
