"""Filter forms of the follow-through pages (GET query strings: codes and dates only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.validators import Optional

from core.forms import Form, OptionalChoice
from core.i18n.fields import LocalDateField
from referrals.followup import queries
from referrals.vocabulary import ReferralState, Urgency, choices


def _any(options: list[tuple[str, str]]) -> list[tuple[str, object]]:
    return [("", _l("Any")), *options]


class MyReferralsFilterForm(Form):
    class Meta:
        csrf = False

    state = SelectField(_l("State"), validators=[OptionalChoice()])
    urgency = SelectField(_l("Urgency"), validators=[OptionalChoice()])
    overdue = BooleanField(_l("Overdue only"), false_values=("", "0", "false"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.state.choices = _any(choices(ReferralState))
        self.urgency.choices = _any(choices(Urgency))

    def filters(self) -> queries.MyReferralFilters:
        return queries.MyReferralFilters(
            state=self.state.data or None,
            urgency=self.urgency.data or None,
            overdue_only=bool(self.overdue.data),
        )


class OverdueFilterForm(Form):
    class Meta:
        csrf = False

    kind = SelectField(
        _l("Overdue for"),
        choices=[
            ("", _l("Any")),
            (queries.ANSWER, _l("An answer")),
            (queries.COMPLETION, _l("Completion")),
        ],
        validators=[OptionalChoice()],
    )
    escalated = BooleanField(_l("Escalated only"), false_values=("", "0", "false"))

    def filters(self) -> queries.OverdueFilters:
        return queries.OverdueFilters(
            kind=self.kind.data or None, escalated_only=bool(self.escalated.data)
        )


class PeriodForm(Form):
    class Meta:
        csrf = False

    date_from = LocalDateField(_l("Sent from"), validators=[Optional()])
    date_to = LocalDateField(_l("Sent until"), validators=[Optional()])
    by_service = BooleanField(_l("Per service"), false_values=("", "0", "false"))

    def validate(self, extra_validators: object = None) -> bool:
        if not super().validate():
            return False
        for day in (self.date_from, self.date_to):
            if day.data and not 2000 <= day.data.year <= 2100:
                day.errors = [_l("Enter a date between the years 2000 and 2100.")]
                return False
        if self.date_from.data and self.date_to.data and self.date_from.data > self.date_to.data:
            self.date_to.errors = [_l("The end of the period comes before its start.")]
            return False
        return True
