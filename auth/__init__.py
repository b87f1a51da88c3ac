"""Organisations, users, roles, login, second factor, sessions and user administration.

Shaped like every domain package (see :mod:`casework`): ``init_app`` is the one place that
wires auth into the app.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The actor loader, the locale, time-zone and session-time hooks, navigation, account
    e-mail (its recipients and templates for the outbox), staff names for auditors,
    commands, demo data."""
    from audit.signals import staff_names_collecting
    from auth import (
        admin_routes,
        blueprint,
        commands,
        demo,
        emails,
        lists_routes,
        queries,
        routes,
        zone_routes,
    )
    from core.signals import (
        actor_asking,
        demo_present_checking,
        demo_steps_collecting,
        mail_recipient_asking,
        mail_templates_collecting,
        navigation_collecting,
        preferred_locale_asking,
        session_seconds_asking,
        time_zone_asking,
    )

    actor_asking.connect(routes.signed_in_actor)
    preferred_locale_asking.connect(routes.preferred_language)
    session_seconds_asking.connect(routes.session_seconds_left)
    time_zone_asking.connect(zone_routes.user_time_zone)
    navigation_collecting.connect(admin_routes.navigation)
    navigation_collecting.connect(lists_routes.navigation)
    mail_recipient_asking.connect(emails.recipient)
    mail_templates_collecting.connect(emails.templates)
    staff_names_collecting.connect(queries.staff_names_for_auditors)
    app.cli.add_command(commands.create_admin)
    demo_steps_collecting.connect(demo.demo_step)
    demo_present_checking.connect(demo.demo_present)
    app.cli.add_command(demo.demo_code)
    app.register_blueprint(blueprint.blueprint)
