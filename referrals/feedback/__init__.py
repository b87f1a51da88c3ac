"""The person's feedback: a short satisfaction survey on the services received, about each
referral (recorded by the case team with the person, or by the provider) and at closure,
feeding the provider figures.

The survey rows in ``models``, who may see and record them in ``policy``, the one write in
``services``, reads and figures in ``queries``, pages in ``routes`` (on the blueprint of
``blueprint``); the case page shows them through casework's ``case_panels_collecting``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The case-page panel, the survey's vocabularies and pages."""
    from casework.signals import case_panels_collecting
    from core.vocabulary import register as register_vocabulary
    from referrals.feedback import blueprint, routes, vocabulary

    case_panels_collecting.connect(routes.case_panel)
    for enum in (vocabulary.Occasion, vocabulary.Respondent, vocabulary.Answer):
        register_vocabulary(
            app, enum, vocabulary.VOCABULARY.by_enum[enum], name=f"Feedback{enum.__name__}"
        )
    app.jinja_env.globals["feedback_questions"] = vocabulary.questions_of
    app.jinja_env.globals["feedback_score"] = vocabulary.score_label
    app.jinja_env.globals["feedback_cell"] = routes.cell_text
    app.register_blueprint(blueprint.blueprint)
