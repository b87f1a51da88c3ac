"""Service directory, referrals, the provider inbox and notifications.

Shaped like every domain package (see :mod:`casework`): ``init_app`` is the one place that
wires referrals and its sub-packages (``directory``, ``followup``) into the app.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire referrals into casework's extension points; register the referral pages."""
    from core.signals import (
        demo_steps_collecting,
        mail_templates_collecting,
        navigation_collecting,
        outbox_message_settled,
    )
    from core.vocabulary import register as register_vocabulary
    from referrals import (
        blueprint,
        commands,
        demo,
        directory,
        feedback,
        followup,
        hooks,
        notifications,
        routes,
        vocabulary,
    )
    from referrals.followup import commands as followup_commands
    from referrals.signals import referral_answered, referral_closed, referral_sent

    navigation_collecting.connect(routes.navigation)
    _answer_casework()
    for enum in (vocabulary.ReferralState, vocabulary.Urgency):
        register_vocabulary(app, enum, vocabulary.VOCABULARY.by_enum[enum])
    app.jinja_env.globals["referral_date"] = hooks.referral_date
    demo_steps_collecting.connect(demo.demo_step)
    blueprint.blueprint.cli.add_command(commands.expire_command)
    blueprint.blueprint.cli.add_command(followup_commands.figures_command)
    app.register_blueprint(blueprint.blueprint)
    directory.init_app(app)
    followup.init_app(app)
    feedback.init_app(app)
    referral_sent.connect(notifications.on_sent, app)
    referral_answered.connect(notifications.on_answered, app)
    referral_closed.connect(notifications.on_closed, app)
    mail_templates_collecting.connect(notifications.templates)
    outbox_message_settled.connect(notifications.on_settled)


def _answer_casework() -> None:
    """Answer casework's extension points: the case page's referral panel, the Today page's
    referral items, what relies on a consent, plan action links, withdrawal, the skeleton."""
    from casework.signals import (
        case_panels_collecting,
        consent_dependents_collecting,
        consent_withdrawn,
        plan_action_links_collecting,
        skeleton_collecting,
        today_items_collecting,
    )
    from referrals import hooks, reading, routes, today

    case_panels_collecting.connect(routes.case_panel)
    today_items_collecting.connect(today.items_of)
    consent_dependents_collecting.connect(hooks.consent_dependents)
    plan_action_links_collecting.connect(hooks.plan_action_links)
    consent_withdrawn.connect(hooks.on_consent_withdrawn)
    skeleton_collecting.connect(reading.skeleton_part)
