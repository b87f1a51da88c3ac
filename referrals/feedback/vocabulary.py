"""The person's feedback survey: its occasions, who recorded it, its questions and answers.

The questions are put in the person's own words; each is answered yes, partly or no, or the
person declines to answer it. The overall score runs from 1 (very poor) to 5 (very good).
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from core.vocabulary import Vocabulary


class Occasion(StrEnum):
    """A survey about one referral's service, or about the whole support at closure."""

    REFERRAL = "referral"
    CLOSURE = "closure"


class Respondent(StrEnum):
    """Who recorded the answers, and how the person gave them."""

    CASEWORKER_WITH_PERSON = "caseworker_with_person"
    PERSON_VIA_CASEWORKER = "person_via_caseworker"
    PROVIDER = "provider"


class Answer(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    DECLINED = "declined"


class Question(StrEnum):
    """The coded questions; the value is the model's column."""

    RESPECT = "respect"
    NEEDS_MET = "needs_met"
    EASY_TO_REACH = "easy_to_reach"
    RECOMMEND = "recommend"


#: The case team records these; provider staff record only ``PROVIDER``.
CASE_TEAM_RESPONDENTS = (Respondent.CASEWORKER_WITH_PERSON, Respondent.PERSON_VIA_CASEWORKER)
#: Overall score: 1 (very poor) to 5 (very good).
SCORES = range(1, 6)

QUESTIONS: dict[StrEnum, object] = {
    Question.RESPECT: _l("Were you treated with respect?"),
    Question.NEEDS_MET: _l("Did the service meet your needs?"),
    Question.EASY_TO_REACH: _l("Was it easy to reach?"),
    Question.RECOMMEND: _l("Would you recommend it to someone in your situation?"),
}
#: The same questions at closure, about the whole support.
CLOSURE_QUESTIONS: dict[StrEnum, object] = {
    Question.RESPECT: _l("Were you treated with respect?"),
    Question.NEEDS_MET: _l("Did the support meet your needs?"),
    Question.EASY_TO_REACH: _l("Was it easy to reach us when you needed to?"),
    Question.RECOMMEND: _l("Would you recommend this support to someone in your situation?"),
}
#: Short column headings of the figures table.
HEADINGS: dict[Question, object] = {
    Question.RESPECT: _l("Treated with respect"),
    Question.NEEDS_MET: _l("Needs met"),
    Question.EASY_TO_REACH: _l("Easy to reach"),
    Question.RECOMMEND: _l("Would recommend"),
}

LABELS: dict[StrEnum, object] = {
    Occasion.REFERRAL: _l("About a referral"),
    Occasion.CLOSURE: _l("At closure"),
    Respondent.CASEWORKER_WITH_PERSON: _l("Caseworker, asking the person"),
    Respondent.PERSON_VIA_CASEWORKER: _l("The person themself, through the caseworker"),
    Respondent.PROVIDER: _l("The provider"),
    Answer.YES: _l("Yes"),
    Answer.PARTLY: _l("Partly"),
    Answer.NO: _l("No"),
    Answer.DECLINED: _l("Declined to answer"),
    **QUESTIONS,
}

SCORE_LABELS: dict[int, object] = {
    1: _l("1 – very poor"),
    2: _l("2 – poor"),
    3: _l("3 – fair"),
    4: _l("4 – good"),
    5: _l("5 – very good"),
}


#: ``label(value, enum)`` and ``choices(enum)`` of this package's lists.
VOCABULARY = Vocabulary(LABELS.items())
label = VOCABULARY.label
choices = VOCABULARY.choices


def questions_of(occasion: str) -> dict[StrEnum, object]:
    """The questions as they were put: about a service, or about the whole support."""
    return CLOSURE_QUESTIONS if occasion == Occasion.CLOSURE.value else QUESTIONS


def score_label(score: int | None) -> object:
    """The overall score's label, or "Declined to answer" when none was given."""
    return (
        SCORE_LABELS.get(score, LABELS[Answer.DECLINED])
        if score is not None
        else LABELS[Answer.DECLINED]
    )
