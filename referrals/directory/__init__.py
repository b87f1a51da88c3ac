"""The service directory, shaped like Open Referral HSDS."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The directory's pages, navigation entry, template helpers, commands and demo data."""
    from core.signals import demo_steps_collecting, navigation_collecting
    from core.vocabulary import register as register_vocabulary
    from referrals.directory import blueprint, commands, demo, routes, vocabulary

    navigation_collecting.connect(routes.navigation)
    # The kinds of service are consent's ServiceType, registered by casework.consent.
    register_vocabulary(
        app, vocabulary.ServiceStatus, vocabulary.VOCABULARY.by_enum[vocabulary.ServiceStatus]
    )
    demo_steps_collecting.connect(demo.demo_step)
    blueprint.blueprint.cli.add_command(commands.export_command)
    blueprint.blueprint.cli.add_command(commands.import_command)
    app.register_blueprint(blueprint.blueprint)
