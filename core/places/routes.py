"""The administrator's places page: the imported hierarchy in counts, and an upload form
doing the same all-or-nothing import as ``homeward places import``."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.db import get_session, keep_changes_on_error
from core.extensions import NavItem
from core.i18n.names import current_locale
from core.memo import remembered
from core.permissions import Permission
from core.places import importing, queries, services
from core.places.forms import ImportForm
from core.security import require


@require(Permission.SETTINGS_MANAGE)
def index() -> ResponseReturnValue:
    db = get_session()
    form = ImportForm()
    report = None
    status = 200
    if form.is_submitted():
        if not form.validate():
            status = 400
        else:
            data = form.file.data.read(importing.MAX_BYTES + 1)
            report = services.import_places(db, data, source="page")
            if report.ok:
                flash(
                    _(
                        "Places imported: %(new)d new, %(updated)d updated, "
                        "%(unchanged)d unchanged.",
                        new=report.counts["new"],
                        updated=report.counts["updated"],
                        unchanged=report.counts["unchanged"],
                    ),
                    "success",
                )
                return redirect(url_for("places.index"), 303)
            keep_changes_on_error()  # the refusal is audited; the import wrote nothing
            status = 400
    countries = queries.overview(db, str(current_locale()))
    return render_template(
        "places/index.html", form=form, report=report, countries=countries
    ), status


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: places, for administrators."""
    return [NavItem("places.index", _l("Places"), Permission.SETTINGS_MANAGE, 46)]


def place_name(pcode: str | None) -> str:
    """The ``place_name`` template filter: a P-code as ``District, Province, Country`` in
    the reader's language (an unknown code as it is)."""
    if not pcode:
        return ""
    db, language = get_session(), str(current_locale())
    return remembered(
        db, ("place_name", pcode, language), lambda: queries.label(db, pcode, language)
    )
