"""Household pages: the case-page panel, add a member from an existing case, change a
relationship, remove a member, and registering a family in one flow (the head, then each
member with the shared details prefilled from the head's case)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from casework import formdata
from casework import services as case_services
from casework.disclosure import DisclosureBudget
from casework.duplicates import find_possible_duplicates
from casework.forms import RegistrationForm
from casework.households import queries, services
from casework.households.forms import (
    AddMemberForm,
    ChangeRoleForm,
    FamilyMemberForm,
    RemoveMemberForm,
)
from casework.households.models import Household
from casework.households.vocabulary import GUARDIANS, Relationship
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from casework.policy import can_edit_case
from casework.services import CaseworkError
from casework.vocabulary import REFERRAL_SOURCES
from core.config import current_settings
from core.db import get_session
from core.exceptions import ConflictError
from core.extensions import isolate_text
from core.forms import field_error
from core.lists import queries as lists
from core.permissions import Permission
from core.security import Actor, deny, require, require_actor


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    household = services.household_of(db, case)
    members = queries.members(db, actor, household, case) if household is not None else []
    if household is not None:
        services.record_household_view(db, actor, household, case)
    own = next((m for m in members if m.is_self), None)
    guardians = []
    if own is not None and own.role == Relationship.CHILD:
        guardians = [m for m in members if not m.is_self and not m.erased and m.role in GUARDIANS]
    editable = can_edit_case(actor, case) and case.stage != "closed"
    return {
        "household": household,
        "members": members,
        "guardians": guardians,
        "may_edit": editable,
        "version": household.version if household is not None else 0,
        "change_forms": {m.id: _change_form(m) for m in members if not m.erased},
        "remove_form": RemoveMemberForm(formdata=None),
    }


def _change_form(member: queries.MemberView) -> ChangeRoleForm:
    return ChangeRoleForm(
        formdata=None,
        data={"role": member.role, "role_detail": member.role_detail or ""},
        prefix=f"m-{member.id.hex[:12]}",
    )


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: the household."""
    return CasePanel(
        "household",
        "casework/households/_panel.html",
        25,
        panel_context(case, actor),
        anchor="household",
        title=_("Household"),
    )


def _back(case: Case) -> ResponseReturnValue:
    return redirect(url_for("casework.case", case_id=case.id, _anchor="household"))


def _conflict(case: Case, exc: ConflictError) -> ResponseReturnValue:
    return (
        render_template("casework/households/conflict.html", case=case, message=exc.message),
        409,
    )


@require(Permission.CASE_EDIT)
def add_member(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    case = load_case(case_id, edit=True)
    record_page_view(case, "household_add")
    household = services.household_of(db, case)
    form = AddMemberForm()
    form.member_case.choices = [("", "—"), *queries.addable_cases(db, actor, case)]
    if request.method == "GET":
        form.version.data = household.version if household is not None else 0
        form.own_role.data = Relationship.HEAD.value
    if form.validate_on_submit():
        joining = _case_or_none(db, form.member_case.data)
        try:
            if joining is None:
                raise CaseworkError("Choose one of the open cases you work on.", "member_case")
            services.add_member(
                db,
                actor,
                case,
                joining,
                form.role.data,
                form.role_detail.data,
                form.version.data,
                own_role=form.own_role.data or None,
            )
        except ConflictError as exc:
            return _conflict(case, exc)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Added to the household."), "success")
            return _back(case)
    return render_template(
        "casework/households/add.html", case=case, form=form, household=household
    )


def _case_or_none(db: Any, value: str | None) -> Case | None:
    try:
        return db.get(Case, uuid.UUID(value or ""))
    except ValueError:
        return None


def _member(case: Case, member_id: uuid.UUID) -> tuple[Household, Any]:
    """The member of the case's household, or 404; 403 (audited) unless the actor may open
    the member's case (or the member's data was erased: there is nothing left to see)."""
    db = get_session()
    actor = require_actor()
    household = services.household_of(db, case)
    member = services.get_member(db, household, member_id)
    if member is None or household is None:
        abort(404)
    seen = next(m for m in queries.members(db, actor, household, case) if m.id == member.id)
    if not (seen.erased or seen.case is not None):
        deny(
            Permission.CASE_EDIT,
            "not_in_scope",
            object_type="household_member",
            object_id=member.id,
            case_id=case.id,
        )
    return household, member


@require(Permission.CASE_EDIT)
def change_role(case_id: uuid.UUID, member_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    _household, member = _member(case, member_id)
    form = ChangeRoleForm(prefix=f"m-{member.id.hex[:12]}")
    if not form.validate_on_submit():
        flash(
            _("Choose a relationship from the list (at most 200 characters in your own words)."),
            "error",
        )
        return _back(case)
    try:
        services.change_role(
            db,
            require_actor(),
            case,
            member,
            form.role.data,
            form.role_detail.data,
            form.version.data,
        )
    except ConflictError as exc:
        return _conflict(case, exc)
    except CaseworkError as exc:
        flash(_(str(exc.message)), "error")
        return _back(case)
    flash(_("Relationship changed."), "success")
    return _back(case)


@require(Permission.CASE_EDIT)
def remove_member(case_id: uuid.UUID, member_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    _household, member = _member(case, member_id)
    form = RemoveMemberForm()
    if not form.validate_on_submit():
        flash(_("The page was out of date. Try again."), "error")
        return _back(case)
    try:
        services.remove_member(db, require_actor(), case, member, form.version.data)
    except ConflictError as exc:
        return _conflict(case, exc)
    except CaseworkError as exc:
        flash(_(str(exc.message)), "error")
        return _back(case)
    flash(_("Removed from the household. Their own case is unchanged."), "success")
    return _back(case)


# -- registering a family ----------------------------------------------------------------


def _shared_details(head: Case) -> dict[str, Any]:
    """What family members usually share with the head: address, nationality, languages,
    and the return (type, date, place, who referred them)."""
    person = head.person
    address = person.address or {}
    return {
        "nationality": person.nationality or "",
        "languages": list(person.languages or []),
        "address_country": address.get("country") or "",
        "address_region": address.get("region"),
        "address_locality": address.get("locality"),
        "case_type": head.case_type,
        "event_date": head.event_date,
        "place": head.place,
        "referring_source": head.referring_source,
        # A source retired since the head's registration is not offered to a new case.
        "referral_source": head.referral_source
        if head.referral_source in lists.offered(get_session(), REFERRAL_SOURCES)
        else "",
        "role": Relationship.CHILD.value,
    }


def _register(form: Any, household: Household | None = None) -> tuple[Case | None, Any]:
    """Register the person of a valid registration form past the duplicate check (as the
    registration page does); the case, or None with the duplicates to show.

    The check runs for every person. Matches that are the household's own members are left
    out (family members share a family name, and the page lists them already): a match
    elsewhere, or any other case, still stops the registration until it is confirmed."""
    db = get_session()
    actor = require_actor()
    person, documents = formdata.person_details(form), formdata.document_details(form)
    budget = DisclosureBudget.from_settings(current_settings().casework)
    duplicates = find_possible_duplicates(db, actor, person, documents, budget)
    if household is not None:
        family = {m.person_id for m in household.members}
        duplicates.visible = [c for c in duplicates.visible if c.person_id not in family]
    if duplicates.found and not form.not_a_duplicate.data:
        flash(
            _("This person may be registered already. Check the possible matches below."),
            "warning",
        )
        return None, duplicates
    case = case_services.register_case(db, actor, person, documents, formdata.case_details(form))
    if duplicates.withheld:
        flash(
            _(
                "The duplicate check ran, but matches held by other organisations "
                "are not shown to you for now: you have reached the limit on being "
                "told which organisation knows a person. Ask a supervisor to check."
            ),
            "warning",
        )
    return case, duplicates


@require(Permission.CASE_CREATE)
def register_family() -> ResponseReturnValue:
    """Step 1: the head of the household, on the registration form."""
    db = get_session()
    form = RegistrationForm()
    duplicates = None
    if form.validate_on_submit():
        try:
            head, duplicates = _register(form)
            if head is not None:
                services.start_household(db, require_actor(), head, Relationship.HEAD)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            if head is not None:
                flash(
                    _("Case %(number)s registered.", number=isolate_text(head.case_number)),
                    "success",
                )
                return redirect(url_for("casework.households.register_member", case_id=head.id))
    return render_template(
        "casework/households/register.html",
        form=form,
        duplicates=duplicates,
        head=None,
        members=[],
    )


@require(Permission.CASE_CREATE)
def register_member(case_id: uuid.UUID) -> ResponseReturnValue:
    """Step 2, as often as needed: a family member, prefilled with the head's shared details;
    each gets their own person and case and joins the head's household."""
    db = get_session()
    actor = require_actor()
    head = load_case(case_id, edit=True)
    record_page_view(head, "household_register")
    household = services.household_of(db, head)
    if request.method == "GET":
        form = FamilyMemberForm(formdata=None, data=_shared_details(head))
    else:
        form = FamilyMemberForm()
    duplicates = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            member_case, duplicates = _register(form, household)
            if member_case is not None:
                services.join_registered(
                    db, actor, head, member_case, form.role.data, form.role_detail.data
                )
        except ConflictError as exc:
            return _conflict(head, exc)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            if member_case is not None:
                flash(
                    _(
                        "Case %(number)s registered and added to the household.",
                        number=isolate_text(member_case.case_number),
                    ),
                    "success",
                )
                return redirect(url_for("casework.households.register_member", case_id=head.id))
    members = queries.members(db, actor, household, head) if household is not None else []
    return render_template(
        "casework/households/register.html",
        form=form,
        duplicates=duplicates,
        head=head,
        members=members,
    )
