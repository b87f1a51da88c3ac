"""The disbursement, decision and receipt forms. Amounts are typed as text and parsed by the
service (:mod:`casework.assistance.money`), which says what is wrong with them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casework.assistance.services import MAX_NOTE
from casework.assistance.vocabulary import KIND_LIST
from casework.forms import not_in_future
from core.forms import Form, OptionalChoice, YearRange
from core.i18n.fields import LocalDateField
from core.lists.fields import TermSelectField


class DisbursementForm(Form):
    kind = TermSelectField(
        _l("Kind of assistance"),
        validators=[DataRequired(message=_l("Choose a kind of assistance."))],
        list_name=KIND_LIST,
        blank=_l("Choose…"),
    )
    amount = StringField(
        _l("Amount"),
        validators=[DataRequired(message=_l("Enter the amount.")), Length(max=40)],
        description=_l("In the currency chosen below, e.g. 250 or 250.50."),
    )
    currency = SelectField(_l("Currency"), choices=[])
    delivered_on = LocalDateField(
        _l("Date delivered"),
        default=date.today,
        validators=[InputRequired(), not_in_future, YearRange(2000, 2100)],
    )
    delivered_by = SelectField(_l("Delivered by"), choices=[])
    plan_action = SelectField(
        _l("Plan action it carries out"), choices=[], validators=[OptionalChoice()]
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=MAX_NOTE)],
        description=_l("What was delivered and how; encrypted, seen by the case team only."),
    )


class DecisionForm(Form):
    decision = RadioField(
        _l("Your decision"),
        choices=[
            ("approve", _l("Approve the disbursement")),
            ("return", _l("Return it with a comment")),
        ],
        validators=[DataRequired(message=_l("Choose approve or return."))],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[Optional(), Length(max=MAX_NOTE)],
        description=_l("Required when you return it."),
    )

    def validate(self, extra_validators: Any = None) -> bool:
        ok: bool = super().validate(extra_validators)
        if self.decision.data == "return" and not (self.comment.data or "").strip():
            self.comment.errors = [*self.comment.errors, _l("Say why it is returned.")]
            ok = False
        return ok


class ReceiptForm(Form):
    receipt = FileField(
        _l("Receipt"),
        validators=[FileRequired(message=_l("Choose the receipt's file."))],
        description=_l("A scan or photo: PDF, PNG or JPEG."),
    )
    version = HiddenField()
