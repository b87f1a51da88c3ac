"""The figures dashboards: the case team's (a supervisor: their own organisation) and the
national one (an analyst: every organisation), each with CSV and XLSX downloads; and the
analyst's download of the anonymised CTDC export.

Every page and download is audited (``report.viewed``, ``report.downloaded``; the CTDC
export as ``report.exported``): who, which report, which format and table, which filters;
never a figure.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from audit.actions import REPORT_DOWNLOADED, REPORT_VIEWED
from auth.models import Organisation
from casework.vocabulary import CaseType, Sex, label
from core.clock import utcnow
from core.config import current_settings
from core.db import get_read_session, get_session
from core.extensions import NavItem
from core.i18n.digits import whole_number
from core.i18n.names import country_name
from core.permissions import Permission
from core.security import Actor, require, require_actor
from reports import indicators, policy
from reports.downloads import About, csv_bytes, xlsx_bytes
from reports.forms import FiguresFilterForm, parse_month
from reports.rendering import Value, chart, grid
from reports.services import write_ctdc
from reports.suppression import Cell
from reports.tables import Filters, Section

TEAM = "team"
NATIONAL = "national"
FORMATS = ("html", "csv", "xlsx")

#: The headline figures: (label, protected value).
Headline = list[tuple[str, Cell]]


def figures_for(db: Session, filters: Filters, today: date) -> tuple[tuple[Section, ...], Headline]:
    """The sections and headline figures for the filters (:func:`reports.indicators.figures`:
    one reading of the skeletons, kept for a minute while they do not change; the headline as
    the tables publish it)."""
    settings = current_settings()
    return indicators.figures(
        db,
        filters,
        settings.reports,
        settings.casework.plan_due_days,
        today,
        visit_interval_days=settings.casework.visit_interval_days,
    )


def _today() -> date:
    return utcnow().date()


def show(value: Value, share: bool = False) -> str:
    """A published cell as the page shows it: a mark as published, a number in the reader's
    language, a share as a percentage, nothing as a dash."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if share and isinstance(value, float):
        return str(format_percent(value, format="#,##0.0%"))
    if isinstance(value, float):
        return str(format_decimal(value, format="#,##0.#"))
    if isinstance(value, int) and not isinstance(value, bool):
        return whole_number(value, get_locale())  # format_decimal's, read once per language
    return str(format_decimal(value))


def memo_show() -> Callable[..., str]:
    """:func:`show` for one page: each value is formatted once (a figures page shows a few
    thousand cells, mostly the same small numbers; formatting one in the reader's language
    is the slowest part of drawing the page). The reader's language is fixed for a request,
    so a page's own memo is never stale."""
    memo: dict[tuple[type, Value, bool], str] = {}

    def shown(value: Value, share: bool = False) -> str:
        key = (value.__class__, value, share)
        found = memo.get(key)
        if found is None:
            found = memo[key] = show(value, share)
        return found

    return shown


def _organisation_choices(db: Session) -> list[tuple[str, str]]:
    rows = db.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.is_case_agency.is_(True))
        .order_by(Organisation.name)
    )
    return [(str(org_id), name) for org_id, name in rows]


def _described(filters: Filters, organisations: dict[str, str]) -> list[tuple[str, str]]:
    """The filters in words, for the workbook's first sheet and the page's summary."""
    any_ = _("Any")
    period = (
        f"{filters.start:%Y-%m} – {filters.end:%Y-%m}"
        if filters.start and filters.end and filters.start != filters.end
        else f"{(filters.start or filters.end):%Y-%m}"
        if filters.start or filters.end
        else any_
    )
    if filters.organisation_ids is None:
        orgs = _("Every organisation")
    else:
        orgs = ", ".join(
            sorted(organisations.get(str(o), str(o)) for o in filters.organisation_ids)
        )
    return [
        (_("Period (month of registration)"), period),
        (_("Organisations"), orgs),
        (_("Case type"), str(label(filters.case_type, CaseType)) if filters.case_type else any_),
        (_("Sex"), str(label(filters.sex, Sex)) if filters.sex else any_),
        (_("Age band"), filters.age_band or any_),
        (_("Nationality"), country_name(filters.nationality) if filters.nationality else any_),
    ]


def _audit(
    actor: Actor, action: str, report: str, fmt: str, table: str | None, filters: Filters
) -> None:
    details: dict[str, object] = {"report": report, "format": fmt}
    if table is not None:
        details["table"] = table
    details.update(filters.described())
    record(
        get_session(),
        action,
        actor=actor,
        object_type="report",
        object_id=report,
        details=details,
    )


def _filename(report: str, filters: Filters, suffix: str) -> str:
    """``homeward-figures-team-2026-11-2026-11.xlsx``: the report and the period, no name."""
    start = f"{filters.start:%Y-%m}" if filters.start else "all"
    end = f"{filters.end:%Y-%m}" if filters.end else "all"
    return f"homeward-figures-{report}-{start}-{end}{suffix}"


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class Shown:
    """What a valid request computed: the filters, the figures and names for the filters."""

    report: str
    actor: Actor
    filters: Filters
    today: date
    sections: tuple[Section, ...]
    headline: Headline
    names: dict[str, str]
    title: str


def _dashboard(report: str, actor: Actor) -> ResponseReturnValue:
    """A figures page, or (``?format=``) its CSV table or XLSX workbook. The figures are read
    from the replica when there is one; the audit event goes to the primary."""
    db = get_read_session()
    national = report == NATIONAL
    organisations = _organisation_choices(db) if national else None
    form = FiguresFilterForm(request.args, organisations=organisations)
    title = _("National figures") if national else _("Figures of my organisation")
    context: dict[str, object] = {"report": report, "form": form, "title": title}
    context["show"] = memo_show()
    fmt = request.args.get("format", "html")
    if fmt not in FORMATS:
        return _refused(context, _("Choose a download format: CSV or XLSX."))
    if not form.validate():
        return _refused(context, None)
    today = _today()
    filters = form.filters(today, policy.organisation_scope(actor, national))
    sections, headline = figures_for(db, filters, today)
    names = dict(organisations or [])
    if not national and actor.organisation_id is not None:
        org = db.get(Organisation, actor.organisation_id)
        if org is not None:
            names[str(org.id)] = org.name
    shown = Shown(report, actor, filters, today, sections, headline, names, title)
    if fmt == "csv":
        return _csv(shown, context)
    if fmt == "xlsx":
        return _xlsx(shown)
    _audit(actor, REPORT_VIEWED, report, "html", None, filters)
    args: dict[str, object] = {k: v for k, v in request.args.items() if k in form.data and v}
    if filters.start and filters.end:
        args.update({"start": f"{filters.start:%Y-%m}", "end": f"{filters.end:%Y-%m}"})
    endpoint = f"reports.{report}"
    return render_template(
        "reports/dashboard.html",
        **context,
        problem=None,
        sections=sections,
        headline=headline,
        described=_described(filters, names),
        rule=_rule(current_settings().reports.small_cell_threshold),
        xlsx_url=_url(endpoint, {**args, "format": "xlsx"}),
        csv_url=lambda key: _url(endpoint, {**args, "format": "csv", "table": key}),
        grid=lambda figure: grid(figure, _("Total"), ""),
        chart=lambda figure: chart(figure, show, _("Total")),
        is_mark=lambda v: isinstance(v, str),
    )


def _refused(context: dict[str, object], problem: str | None) -> ResponseReturnValue:
    """The page with the filters' errors (or ``problem``) and no figures: 400."""
    return render_template("reports/dashboard.html", **context, sections=None, problem=problem), 400


def _csv(shown: Shown, context: dict[str, object]) -> ResponseReturnValue:
    """One table (``?table=<figure key>``) as CSV."""
    figures = {f.key: f for s in shown.sections for f in s.figures}
    key = request.args.get("table", "")
    if key not in figures:
        return _refused(context, _("Choose one of the tables of this page to download."))
    _audit(shown.actor, REPORT_DOWNLOADED, shown.report, "csv", key, shown.filters)
    body = csv_bytes(figures[key], _("Total"), "")
    filename = _filename(shown.report, shown.filters, f"-{key}.csv")
    return _download(body, "text/csv; charset=utf-8", filename)


def _xlsx(shown: Shown) -> ResponseReturnValue:
    """Every table in one workbook, after a sheet stating the filters, date and rule."""
    about = About(
        title=shown.title,
        filters=_described(shown.filters, shown.names),
        made_on=shown.today,
        rule=_rule(current_settings().reports.small_cell_threshold),
        labels={
            "about": _("About"),
            "made_on": _("Made on"),
            "rule": _("Small cells"),
            "total": _("Total"),
        },
    )
    _audit(shown.actor, REPORT_DOWNLOADED, shown.report, "xlsx", None, shown.filters)
    return _download(
        xlsx_bytes(shown.sections, about),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _filename(shown.report, shown.filters, ".xlsx"),
    )


def _url(endpoint: str, args: dict[str, object]) -> str:
    return url_for(endpoint, **args)  # type: ignore[arg-type]


def _rule(threshold: int) -> str:
    return _(
        "A count of 1 to %(below)s people is shown as “<%(threshold)s”; a cell that would give"
        " such a count back from the totals is shown as “x”. A statistic of fewer than"
        " %(threshold)s people is withheld.",
        below=threshold - 1,
        threshold=threshold,
    )


@require(Permission.REPORT_TEAM)
def team() -> ResponseReturnValue:
    """The figures of the supervisor's own organisation (the filter is forced, never read)."""
    return _dashboard(TEAM, require_actor())


@require(Permission.REPORT_NATIONAL)
def national() -> ResponseReturnValue:
    """The figures of every organisation, or of one chosen in the filter."""
    return _dashboard(NATIONAL, require_actor())


@require(Permission.REPORT_NATIONAL)
def ctdc_download() -> ResponseReturnValue:
    """The anonymised case-level CTDC export as a CSV download (k-anonymous, audited)."""
    actor = require_actor()
    try:
        start = parse_month(request.args.get("start"))
        end = parse_month(request.args.get("end"))
    except ValueError:
        return Response(
            _("Enter the months as year and month (YYYY-MM) between 2000 and 2100."),
            status=400,
            mimetype="text/plain",
        )
    if start and end and start > end:
        return Response(
            _("The end of the period comes before its start."),
            status=400,
            mimetype="text/plain",
        )
    last = _month_end(end) if end else None
    out = io.StringIO()
    write_ctdc(get_session(), actor, out, current_settings().reports, start, last, via="download")
    name = "homeward-ctdc"
    if start or end:
        name += f"-{start:%Y-%m}" if start else "-all"
        name += f"-{end:%Y-%m}" if end else "-all"
    return _download(
        ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", f"{name}.csv"
    )


def _month_end(first: date) -> date:
    following = (
        date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    )
    return date.fromordinal(following.toordinal() - 1)


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: the figures of each audience."""
    return [
        NavItem("reports.team", _l("Figures"), Permission.REPORT_TEAM, 68),
        NavItem("reports.national", _l("Figures"), Permission.REPORT_NATIONAL, 60),
    ]
