"""Trafficking-story pages: the story in force with its earlier versions, recording a new
version; the case-page panel."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from auth.queries import user_names
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from casework.screening import services, story_services
from casework.screening.forms import StoryForm
from casework.screening.models import TraffickingStory
from casework.screening.vocabulary import (
    BorderCrossing,
    Cooperation,
    ExploitationSector,
    ExploitationType,
    MeansOfControl,
    RecruiterRelation,
    RecruitmentMethod,
)
from casework.services import CaseworkError
from casework.signals import legal_basis_asking
from core.db import get_session
from core.forms import field_error
from core.permissions import Permission
from core.security import Actor, require, require_actor
from core.signals import collect


def has_legal_basis(db: Session, case: Case) -> bool:
    """A legal basis is in force for the case (consent answers ``legal_basis_asking``)."""
    return any(collect(legal_basis_asking, case, bool, session=db))


def granted() -> bool:
    """The request opened its case under an emergency grant (``casework.loading`` checked it)."""
    return g.get("emergency_grant") is not None


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: the trafficking story."""
    found = story_services.stories(get_session(), actor, case, granted=granted())
    return CasePanel(
        "story",
        "casework/screening/_story_panel.html",
        41,
        {"story": found[0] if found else None},
        anchor="story",
        title=_("The trafficking story"),
    )


@require(Permission.CASE_VIEW)
def story(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id)
    actor = require_actor()
    found = story_services.stories(db, actor, case, granted=granted())
    shown = found[0] if found else None
    story_services.record_story_view(db, actor, case, shown, g.get("emergency_grant"))
    return render_template(
        "casework/screening/story.html",
        case=case,
        stories=found,
        names=user_names(db, {s.recorded_by_id for s in found}),
        legal_basis=has_legal_basis(db, case),
    )


def _fill(form: StoryForm, story: TraffickingStory | None, screening: Any) -> None:
    """Prefill from the story in force, else the latest screening's types and means."""
    if story is not None:
        for name in story_services.STORY_FIELDS:
            value = getattr(story, name)
            getattr(form, name).data = value if value is not None else getattr(form, name).data
        form.version.data = str(story.version)
    elif screening is not None:
        form.exploitation_types.data = list(screening.exploitation_types or [])
        form.means_of_control.data = list(screening.means_of_control or [])


def _details(form: StoryForm) -> story_services.StoryDetails:
    relation, cooperation = form.recruiter_relation.data, form.cooperation.data
    return story_services.StoryDetails(
        recruitment_methods=[RecruitmentMethod(v) for v in form.recruitment_methods.data or []],
        recruiter_relation=RecruiterRelation(relation) if relation else None,
        recruited_month=form.recruited_month.data or None,
        origin_countries=list(form.origin_countries.data or []),
        transit_countries=list(form.transit_countries.data or []),
        exploitation_countries=list(form.exploitation_countries.data or []),
        departed_month=form.departed_month.data or None,
        border_crossings=[BorderCrossing(v) for v in form.border_crossings.data or []],
        exploitation_types=[ExploitationType(v) for v in form.exploitation_types.data or []],
        exploitation_sectors=[ExploitationSector(v) for v in form.exploitation_sectors.data or []],
        exploitation_started_month=form.exploitation_started_month.data or None,
        exploitation_ended_month=form.exploitation_ended_month.data or None,
        exploitation_months=form.exploitation_months.data,
        means_of_control=[MeansOfControl(v) for v in form.means_of_control.data or []],
        cooperation=Cooperation(cooperation) if cooperation else None,
    )


def _save(
    db: Session, actor: Actor, case: Case, form: StoryForm, legal_basis: bool
) -> tuple[bool, int]:
    """Record the form's version; (saved, HTTP status of the page shown when not saved)."""
    try:
        story_services.record_story(
            db,
            actor,
            case,
            _details(form),
            based_on=int(form.version.data),
            legal_basis=legal_basis,
        )
    except story_services.StoryConflict as exc:
        flash(_(str(exc.message)), "error")
        form.version.data = str(story_services.current_version(db, case))
        return False, 409
    except CaseworkError as exc:
        field_error(form, exc)
        return False, 200
    return True, 200


@require(Permission.CASE_EDIT)
def record_story(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    actor = require_actor()
    record_page_view(case, "trafficking_story_edit")
    legal_basis = has_legal_basis(db, case)
    found = story_services.stories(db, actor, case)
    form = StoryForm()
    if not form.is_submitted():
        screenings = services.screenings(db, case)
        _fill(form, found[0] if found else None, screenings[0] if screenings else None)
    status = 200
    if form.validate_on_submit():
        saved, status = _save(db, actor, case, form, legal_basis)
        if saved:
            flash(_("Trafficking story recorded."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="story"))
    newer = story_services.stories(db, actor, case) if status == 409 else []
    page = render_template(
        "casework/screening/story_form.html",
        case=case,
        form=form,
        legal_basis=legal_basis,
        newer=newer[0] if newer else None,
    )
    return page, status
