"""The auditor's workspace: the log, a case's and a user's history, export, chain, alerts.

Auditors see ids, codes and case reference numbers, never the names or other personal data of
the people served. Staff are named (their names answer "who"), with their ids at hand.

The log, a case's and a user's history and the alerts read from the read replica when
``HOMEWARD_REPLICA_URL`` names one (:func:`core.db.get_read_session`: at most the replica's
delay behind); what they record, the export, the chain's status and its verification use the
primary.
"""

from __future__ import annotations

import uuid

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from audit import actions, alerts, checkpoints, commands, queries
from audit.export import csv_lines
from audit.forms import AlertWindowForm, LogFilterForm
from audit.presenting import PageNames, page_names
from audit.references import case_labels, emergency_reason, resolve_case
from audit.services import record
from audit.staff import who
from audit.verify import stored_checkpoints, verify_chain
from core.clock import utcnow
from core.config import current_settings
from core.db import get_read_session, get_session
from core.extensions import NavItem
from core.forms import ConfirmForm, parse_uuid
from core.i18n.plurals import ngettext
from core.keys import KeyRing
from core.permissions import Permission
from core.security import require, require_actor

NOT_FOUND_CASE = _l("No case has this reference number or id.")
#: Events past the latest checkpoint that a page may verify; more is the command line's job.
WEB_VERIFY_LIMIT = 200_000
TOO_MANY_TO_VERIFY = _l(
    "Too many events since the last checkpoint to verify here. Ask an operator to run "
    "homeward audit checkpoint and homeward audit verify."
)


def _filter_from(form: LogFilterForm, session: Session) -> queries.LogFilter | None:
    """The LogFilter the valid form describes; None (with a field error) when it is not valid."""
    if not form.validate():
        return None
    case_id = None
    if form.case.data:
        case_id = resolve_case(session, form.case.data)
        if case_id is None:
            form.case.errors = [NOT_FOUND_CASE]
            return None
    return queries.LogFilter(
        user_id=parse_uuid((form.user.data or "").strip()),
        organisation_id=parse_uuid((form.organisation.data or "").strip()),
        action=form.action.data or None,
        outcome=form.outcome.data or None,
        object_type=form.object_type.data or None,
        object_id=(form.object_id.data or "").strip() or None,
        case_id=case_id,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


def _cursor(name: str) -> int | None:
    value = request.args.get(name, "")
    # isascii(): str.isdigit() also accepts "²" or full-width digits, which int() refuses.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _names(
    session: Session, page: queries.LogPage | None, flt: queries.LogFilter | None
) -> PageNames | None:
    """The names on a page of the log, the filter's account and organisation included."""
    if page is None or flt is None:
        return None
    return page_names(
        session, page.events, user_ids=[flt.user_id], organisation_ids=[flt.organisation_id]
    )


@require(Permission.AUDIT_VIEW)
def index() -> ResponseReturnValue:
    session = get_read_session()
    form = LogFilterForm(request.args)
    flt = _filter_from(form, session) if request.args else queries.LogFilter()
    page = None
    if flt is not None:
        page = queries.log_page(session, flt, before=_cursor("before"), after=_cursor("after"))
    status = 200 if flt is not None else 400
    return render_template(
        "audit/log.html",
        form=form,
        page=page,
        names=_names(session, page, flt),
        flt=flt,
        filter_args={name: request.args[name] for name in form.data if request.args.get(name)},
        export_form=ConfirmForm(),
        may_export=require_actor().can(Permission.AUDIT_EXPORT),
    ), status


@require(Permission.AUDIT_EXPORT)
def export() -> ResponseReturnValue:
    session = get_session()
    if not ConfirmForm().validate_on_submit():
        return index()
    form = LogFilterForm(request.args)
    flt = _filter_from(form, session)
    if flt is None:
        return index()
    # Everything that can fail is done before the first byte: a streamed download cannot
    # turn into an error page halfway.
    lines = csv_lines(session, flt)
    record(
        session,
        actions.AUDIT_EXPORTED,
        object_type="audit_log",
        details={"format": "csv", "filter": flt.as_details()},
    )
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="homeward-audit-{stamp}.csv"'},
    )


@require(Permission.AUDIT_VIEW)
def case_history(case_id: uuid.UUID) -> ResponseReturnValue:
    session = get_read_session()
    page = queries.log_page(
        session,
        queries.LogFilter(case_id=case_id),
        before=_cursor("before"),
        after=_cursor("after"),
    )
    accessors = queries.case_accessors(session, case_id)
    names = page_names(
        session,
        page.events,
        user_ids=[a.user_id for a in accessors],
        organisation_ids=[a.organisation_id for a in accessors],
        case_ids=[case_id],
    )
    record(
        get_session(),
        actions.AUDIT_CASE_HISTORY_VIEWED,
        object_type="case",
        object_id=case_id,
        details={"events_shown": len(page.events)},
    )
    return render_template(
        "audit/case.html",
        case_id=case_id,
        accessors=accessors,
        page=page,
        names=names,
        reference=names.labels[case_id],
    )


@require(Permission.AUDIT_VIEW)
def emergency_grant(grant_id: uuid.UUID) -> ResponseReturnValue:
    """The reason typed for one emergency grant (and its case reference), the reading logged."""
    session = get_session()
    found = emergency_reason(session, grant_id)
    if found is None:
        abort(404)
    record(
        session,
        actions.AUDIT_EMERGENCY_REASON_VIEWED,
        object_type="emergency_access",
        object_id=grant_id,
        case_id=found.case_id,
    )
    return render_template(
        "audit/emergency.html",
        grant_id=grant_id,
        case_id=found.case_id,
        reference=case_labels(session, {found.case_id})[found.case_id],
        reason=found.reason,
    )


@require(Permission.AUDIT_VIEW)
def user_activity(user_id: uuid.UUID) -> ResponseReturnValue:
    session = get_read_session()
    summary = queries.user_activity(session, user_id)
    page = queries.log_page(
        session,
        queries.LogFilter(user_id=user_id),
        before=_cursor("before"),
        after=_cursor("after"),
    )
    record(
        get_session(),
        actions.AUDIT_USER_ACTIVITY_VIEWED,
        object_type="user",
        object_id=user_id,
        details={"events_shown": len(page.events)},
    )
    return render_template(
        "audit/user.html",
        user_id=user_id,
        summary=summary,
        page=page,
        names=page_names(session, page.events, user_ids=[user_id]),
    )


@require(Permission.AUDIT_VIEW)
def chain_status() -> ResponseReturnValue:
    session = get_session()
    verification = queries.latest_event(session, actions.AUDIT_VERIFIED)
    return render_template(
        "audit/chain.html",
        head=queries.chain_head(session),
        checkpoint=checkpoints.latest_checkpoint(session),
        verification=verification,
        verification_details=verification.details_dict if verification else {},
        retention_years=current_settings().audit.retention_years,
        oldest=queries.oldest_event_time(session),
        verify_form=ConfirmForm(),
    )


@require(Permission.AUDIT_VIEW)
def verify_recent() -> ResponseReturnValue:
    """Verify the events after the latest checkpoint (the whole chain is the CLI's job)."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("audit.chain_status"))
    session = get_session()
    ring: KeyRing = current_app.extensions["homeward_keys"]
    start = checkpoints.latest_checkpoint(session)
    head = queries.chain_head(session)
    unanchored = (head.seq if head else 0) - (start.seq if start else 0)
    if unanchored > WEB_VERIFY_LIMIT:
        flash(TOO_MANY_TO_VERIFY, "warning")
        return redirect(url_for("audit.chain_status"))
    report = verify_chain(
        session,
        checkpoints=stored_checkpoints(session),
        trusted_keys={checkpoints.public_key_hex(ring.checkpoint_signing_key)},
        start=start,
    )
    commands.record_verification(session, report, from_seq=start.seq if start else 0)
    if report.problem is None:
        flash(
            ngettext(
                "The chain is intact: %(num)d event checked.",
                "The chain is intact: %(num)d events checked.",
                report.events_checked,
            ),
            "success",
        )
    else:
        flash(
            _l(
                "The chain is broken at event %(seq)d (%(kind)s).",
                seq=report.problem.seq,
                kind=report.problem.kind,
            ),
            "error",
        )
    return redirect(url_for("audit.chain_status"))


@require(Permission.AUDIT_VIEW)
def alert_list() -> ResponseReturnValue:
    form = AlertWindowForm(request.args)
    days = int(form.days.data) if form.validate() else 7
    thresholds = alerts.Thresholds.from_settings(current_settings().audit)
    session = get_read_session()
    found = alerts.current_alerts(session, thresholds, days)
    subjects = [parse_uuid(a.subject_id) for a in found]
    return render_template(
        "audit/alerts.html",
        form=form,
        alerts=found,
        thresholds=thresholds,
        days=days,
        who=who(session, [*(a.user_id for a in found), *subjects]),
        labels=case_labels(session, {a.case_id for a in found if a.case_id is not None}),
    )


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: the audit log."""
    return [
        NavItem(
            "audit.index",
            _l("Audit log"),
            Permission.AUDIT_VIEW,
            30,
            landing="audit.alert_list",
        ),
    ]
