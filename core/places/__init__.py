"""Places: administrative areas (country > province > district, with P-codes), imported
from a CSV (``homeward places import FILE`` or the administrator's page at /admin/places),
offered by a picker that needs no JavaScript (:class:`core.places.forms.PlaceField`), and
shown in the reader's language (the ``place_name`` template filter).

Core, because casework (addresses, place of return) and referrals (service areas) use it.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The page, its navigation entry, the command, the template filter and demo data."""
    from core.places import blueprint, commands, demo, routes
    from core.signals import demo_steps_collecting, navigation_collecting

    navigation_collecting.connect(routes.navigation)
    demo_steps_collecting.connect(demo.demo_step)
    blueprint.blueprint.cli.add_command(commands.import_command)
    app.add_template_filter(routes.place_name, "place_name")
    app.register_blueprint(blueprint.blueprint)
