"""The auditor's filter form (GET, ids and dates only) and the alerts window."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from audit.actions import OUTCOMES
from core.forms import Form, YearRange, parse_uuid
from core.i18n.fields import LocalDateField

CODE_PATTERN = r"^[a-z0-9_.]+\Z"
ID_PATTERN = r"^[A-Za-z0-9_.:\-]+\Z"


def _uuid_or_empty(_form: Any, field: Field) -> None:
    if field.data and parse_uuid(field.data.strip()) is None:
        raise ValidationError(_l("Enter an id like 3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b."))


class LogFilterForm(Form):
    """Filters of the log. Sent as a query string, so it holds ids, codes and dates only."""

    class Meta:
        csrf = False

    user = StringField(_l("User id"), validators=[Optional(), Length(max=36), _uuid_or_empty])
    organisation = StringField(
        _l("Organisation id"), validators=[Optional(), Length(max=36), _uuid_or_empty]
    )
    action = StringField(
        _l("Action"),
        description=_l("For example login.failed or access.denied."),
        validators=[
            Optional(),
            Length(max=60),
            Regexp(
                CODE_PATTERN,
                message=_l(
                    "Use the action's code: lower-case letters, digits, dots and underscores."
                ),
            ),
        ],
    )
    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice("", _l("Any")), *[SelectChoice(o, o) for o in OUTCOMES]],
        validators=[Optional()],
    )
    object_type = StringField(
        _l("Object type"),
        description=_l("For example user, case or referral."),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(
                CODE_PATTERN,
                message=_l(
                    "Use the object type's code: lower-case letters, digits, dots and underscores."
                ),
            ),
        ],
    )
    object_id = StringField(
        _l("Object id"),
        validators=[
            Optional(),
            Length(max=64),
            Regexp(ID_PATTERN, message=_l("An object id has no spaces or @ signs.")),
        ],
    )
    case = StringField(
        _l("Case reference or id"),
        validators=[
            Optional(),
            Length(max=64),
            Regexp(ID_PATTERN, message=_l("A case reference has no spaces or @ signs.")),
        ],
    )
    date_from = LocalDateField(_l("From (UTC date)"), validators=[Optional(), YearRange()])
    date_to = LocalDateField(_l("To (UTC date)"), validators=[Optional(), YearRange()])

    def validate_date_to(self, field: Field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must not be before the start date."))


class AlertWindowForm(Form):
    class Meta:
        csrf = False

    days = SelectField(
        _l("Look back"),
        choices=[
            SelectChoice("1", _l("1 day")),
            SelectChoice("7", _l("7 days")),
            SelectChoice("30", _l("30 days")),
        ],
        default="7",
    )
