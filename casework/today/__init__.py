"""The Today page: the case team's landing page, what is overdue, due this week and waiting.

Rows come from the task list (:mod:`casework.tasks`) and from the Today registry
(:mod:`casework.today.registry`), where packages add what waits beyond tasks (Referrals:
answers to read, declined referrals; casework: cases offered by another organisation).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire the Today page: its navigation entry, casework's own items, its blueprint."""
    from casework.signals import today_items_collecting
    from casework.today import routes, sources
    from casework.today.blueprint import blueprint
    from core.signals import navigation_collecting

    navigation_collecting.connect(routes.navigation)
    today_items_collecting.connect(sources.items_of)
    app.register_blueprint(blueprint)
