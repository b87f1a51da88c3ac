"""The provider's pages: the inbox, a referral with only its shared fields (each view a
disclosure), and the answers (accept, decline, complete, not completed)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from auth.models import Organisation
from casework.models import Case
from core.db import get_session, keep_changes_on_error
from core.forms import field_error
from core.permissions import Permission
from core.security import require, require_actor
from referrals import (
    policy,
    reading,
    services,
    sharing,
    vocabulary,
)
from referrals.forms import (
    AcceptForm,
    CompleteForm,
    DeclineForm,
    InboxFilterForm,
    NotCompletedForm,
)
from referrals.loading import load_referral
from referrals.models import Referral
from referrals.vocabulary import ReferralState

# -- the provider -----------------------------------------------------------------------------


@require(Permission.REFERRAL_RESPOND)
def inbox() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    if actor.organisation_id is None:
        abort(404)
    services.expire_due(db, actor.organisation_id)
    form = InboxFilterForm(request.args)
    status = 200
    filters = reading.InboxFilters()
    if form.validate():
        filters = reading.InboxFilters(
            state=form.state.data or None,
            urgency=form.urgency.data or None,
            overdue=form.overdue.data == "yes",
        )
    else:
        status = 400
    rows = reading.inbox(db, actor.organisation_id, filters)
    reading.record_inbox_view(db, actor, len(rows))
    return (
        render_template(
            "referrals/inbox.html",
            form=form,
            referrals=rows,
            counts=reading.counts_by_state(db, actor.organisation_id),
            late={r.id: reading.is_late(r) for r in rows},
        ),
        status,
    )


def _provider_page(referral: Referral, case: Case, forms: dict[str, Any] | None = None) -> str:
    db = get_session()
    actor = require_actor()
    shown: list[sharing.SharedValue] = []
    erased = case.person.erased_at is not None
    sees_fields = policy.provider_sees_fields(db, referral) and not erased
    if sees_fields:
        shown = sharing.shared_values(referral.shared_codes, case.person, case)
        reading.record_disclosure(db, actor, referral, [v.code for v in shown])
        keep_changes_on_error()  # a form error (400) still showed the fields: keep the record
    else:
        reading.record_view(db, actor, referral)  # reference and state only
    forms = forms or {}
    return render_template(
        "referrals/view.html",
        referral=referral,
        shown=shown,
        sees_fields=sees_fields,
        referring=db.get(Organisation, referral.referring_organisation_id),
        accept_form=forms.get("accept") or AcceptForm(formdata=None),
        decline_form=forms.get("decline") or DeclineForm(formdata=None),
        complete_form=forms.get("complete") or CompleteForm(formdata=None),
        not_completed_form=forms.get("not_completed") or NotCompletedForm(formdata=None),
        late=reading.is_late(referral),
    )


@require(Permission.REFERRAL_RESPOND)
def view(referral_id: uuid.UUID) -> ResponseReturnValue:
    referral, case = load_referral(referral_id, provider=True)
    return _provider_page(referral, case)


def _answer(referral_id: uuid.UUID, name: str, form: Any, act: Any) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    referral, case = load_referral(referral_id, provider=True)
    if referral.state == ReferralState.EXPIRED.value:
        # Past the deadline: nothing to answer, and the person's fields are not shown again.
        flash(_("The answer came too late: this referral expired at its deadline."), "error")
        return redirect(url_for("referrals.view", referral_id=referral.id))
    if form.validate_on_submit():
        try:
            act(db, actor, referral, form)
        except services.ReferralConflict as exc:
            flash(_(str(exc.message)), "error")
            return redirect(url_for("referrals.view", referral_id=referral.id))
        except services.ReferralError as exc:
            field_error(form, exc)
        else:
            flash(
                _(
                    "Saved: %(state)s.",
                    state=vocabulary.label(referral.state, ReferralState),
                ),
                "success",
            )
            return redirect(url_for("referrals.view", referral_id=referral.id))
    return _provider_page(referral, case, {name: form}), 400


@require(Permission.REFERRAL_RESPOND)
def accept(referral_id: uuid.UUID) -> ResponseReturnValue:
    return _answer(
        referral_id,
        "accept",
        AcceptForm(),
        lambda db, actor, r, f: services.accept(db, actor, r, f.expected_completion.data),
    )


@require(Permission.REFERRAL_RESPOND)
def decline(referral_id: uuid.UUID) -> ResponseReturnValue:
    return _answer(
        referral_id,
        "decline",
        DeclineForm(),
        lambda db, actor, r, f: services.decline(db, actor, r, f.reason.data, f.reason_code.data),
    )


@require(Permission.REFERRAL_RESPOND)
def complete(referral_id: uuid.UUID) -> ResponseReturnValue:
    return _answer(
        referral_id,
        "complete",
        CompleteForm(),
        lambda db, actor, r, f: services.complete(
            db, actor, r, f.outcome.data, f.outcome_date.data
        ),
    )


@require(Permission.REFERRAL_RESPOND)
def not_completed(referral_id: uuid.UUID) -> ResponseReturnValue:
    return _answer(
        referral_id,
        "not_completed",
        NotCompletedForm(),
        lambda db, actor, r, f: services.not_complete(db, actor, r, f.reason.data),
    )
