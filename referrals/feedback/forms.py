"""The survey form: the person's answers (or that they declined), a score, a comment, the date.

The case team's form also asks who gives the answers; the provider's does not (it is always
the provider). Everything but the comment is a code, so the form checks codes only.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.clock import utcnow
from core.forms import Form, OptionalChoice, YearRange
from core.i18n.fields import LocalDateField
from referrals.feedback import services
from referrals.feedback.vocabulary import (
    CLOSURE_QUESTIONS,
    QUESTIONS,
    SCORE_LABELS,
    Answer,
    Question,
    Respondent,
    choices,
    label,
)

DECLINED_SCORE = "declined"


def _answer_field(text: object) -> RadioField:
    return RadioField(text, choices=choices(Answer), validators=[OptionalChoice()])


class SurveyForm(Form):
    declined = BooleanField(
        _l("The person declined to answer the survey"),
        false_values=("", "0", "false"),
        description=_l("Declining is an answer too: it is recorded, and nothing else is asked."),
    )
    respect = _answer_field(QUESTIONS[Question.RESPECT])
    needs_met = _answer_field(QUESTIONS[Question.NEEDS_MET])
    easy_to_reach = _answer_field(QUESTIONS[Question.EASY_TO_REACH])
    recommend = _answer_field(QUESTIONS[Question.RECOMMEND])
    overall = RadioField(
        _l("Overall, how would you rate it?"),
        choices=[
            *((str(n), text) for n, text in SCORE_LABELS.items()),
            (DECLINED_SCORE, _l("Declined to answer")),
        ],
        validators=[OptionalChoice()],
    )
    comment = TextAreaField(
        _l("Anything else the person wants to say (optional)"),
        validators=[Optional(), Length(max=services.COMMENT_MAX)],
        description=_l("In the person's own words. Only the case team reads it."),
    )
    recorded_on = LocalDateField(
        _l("Date of the answers"),
        validators=[DataRequired(message=_l("Give the date.")), YearRange()],
    )

    def at_closure(self) -> SurveyForm:
        """Ask the closure questions (about the whole support) instead."""
        for q, text in CLOSURE_QUESTIONS.items():
            getattr(self, q.value).label.text = text
        return self

    def validate(self, extra_validators: Any = None) -> bool:
        ok: bool = super().validate(extra_validators)
        if self.declined.data:
            return ok
        for q in Question:
            answer = getattr(self, q.value)
            if not answer.data and not answer.errors:
                answer.errors = [_l("Choose an answer, or 'Declined to answer'.")]
                ok = False
        if not self.overall.data and not self.overall.errors:
            self.overall.errors = [_l("Choose a score, or 'Declined to answer'.")]
            ok = False
        return ok

    def answers(self) -> services.Answers:
        given: dict[Question, Answer | None] = {
            q: Answer(getattr(self, q.value).data) for q in Question if not self.declined.data
        }
        score = self.overall.data
        return services.Answers(
            recorded_on=self.recorded_on.data or utcnow().date(),
            declined=bool(self.declined.data),
            answers=given or None,
            overall=int(score) if score and score != DECLINED_SCORE else None,
            comment=self.comment.data,
        )


class CaseTeamSurveyForm(SurveyForm):
    respondent = RadioField(
        _l("Who gives the answers"),
        validators=[DataRequired(message=_l("Choose who gives the answers."))],
    )

    def offer(self, respondents: tuple[str, ...]) -> CaseTeamSurveyForm:
        """Offer these respondents (those not recorded yet)."""
        self.respondent.choices = [(r, str(label(r, Respondent))) for r in respondents]
        return self
