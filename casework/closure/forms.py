"""The closure request, the supervisor's decision and the reopening forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casework.closure.vocabulary import CLOSURE_REASONS
from core.forms import Form
from core.lists.fields import TermRadioField

LONG = 4000


class ClosureRequestForm(Form):
    reason = TermRadioField(
        _l("Why the case ends"),
        list_name=CLOSURE_REASONS,
        validators=[DataRequired(message=_l("Choose a reason."))],
    )
    summary = TextAreaField(
        _l("Closing summary"),
        validators=[DataRequired(message=_l("Write a closing summary.")), Length(max=LONG)],
        description=_l("What was achieved and why the support ends; the supervisor reads this."),
    )


class ClosureDecisionForm(Form):
    decision = RadioField(
        _l("Your decision"),
        choices=[
            ("approve", _l("Approve: close the case")),
            ("return", _l("Return to the caseworker with a comment")),
        ],
        validators=[DataRequired(message=_l("Choose approve or return."))],
    )
    comment = TextAreaField(
        _l("Comment for the caseworker"),
        validators=[Optional(), Length(max=LONG)],
        description=_l("Required when you return the request."),
    )

    def validate(self, extra_validators: Any = None) -> bool:
        ok: bool = super().validate(extra_validators)
        if self.decision.data == "return" and not (self.comment.data or "").strip():
            self.comment.errors = [*self.comment.errors, _l("Say what should change.")]
            ok = False
        return ok


class ReopenForm(Form):
    reason = TextAreaField(
        _l("Why the case is reopened"),
        validators=[DataRequired(message=_l("Write why the case is reopened.")), Length(max=LONG)],
        description=_l("For example: the person came back and asks for support again."),
    )
