"""Raise a flag, end it early, mark it seen; write the safety plan."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casework.safety.vocabulary import FLAG_KIND
from core.forms import Form, YearRange
from core.i18n.fields import LocalDateField
from core.lists.fields import TermSelectField

LONG = 4000


def end_prefix(flag_id: uuid.UUID) -> str:
    """The field prefix of one flag's "end" form (several on one page)."""
    return f"end-{flag_id.hex[:12]}"


class FlagForm(Form):
    kind = TermSelectField(
        _l("Kind of flag"),
        list_name=FLAG_KIND,
        blank=_l("Choose…"),
        validators=[DataRequired(message=_l("Choose a kind of flag."))],
    )
    reason = TextAreaField(
        _l("Why this flag"),
        validators=[DataRequired(message=_l("Say why the flag is needed.")), Length(max=LONG)],
        description=_l("Only the case team reads this; providers and auditors never see it."),
    )
    expires_on = LocalDateField(
        _l("Expires on (optional)"),
        validators=[Optional(), YearRange()],
        description=_l("After this day the flag is no longer shown as active."),
    )
    tell_supervisor = BooleanField(_l("Tell my supervisor"))


class EndFlagForm(Form):
    end_reason = TextAreaField(
        _l("Why the flag ends"),
        validators=[DataRequired(message=_l("Say why the flag ends.")), Length(max=LONG)],
    )


class SafetyPlanForm(Form):
    version = HiddenField()
    risks = TextAreaField(
        _l("Risks"),
        validators=[DataRequired(message=_l("Describe the risks.")), Length(max=LONG)],
        description=_l("Who or what puts the person in danger, where and when."),
    )
    measures = TextAreaField(
        _l("Agreed measures"),
        validators=[DataRequired(message=_l("Write the agreed measures.")), Length(max=LONG)],
        description=_l("What the person and the team agreed to do to stay safe."),
    )
    emergency_contacts = TextAreaField(
        _l("Emergency contacts"),
        validators=[Optional(), Length(max=LONG)],
        description=_l("Who to call in an emergency, and how."),
    )
    review_on = LocalDateField(
        _l("Review the plan on"),
        validators=[DataRequired(message=_l("Give the review date.")), YearRange()],
    )
