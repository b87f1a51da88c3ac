"""Case attachments: files sealed under the person's data key, typed by content, audited."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The attachments panel and the file-size filter."""
    from casework.attachments import routes, services
    from casework.signals import case_file_attaching, case_panels_collecting

    case_panels_collecting.connect(routes.case_panel)
    case_file_attaching.connect(services.attach_for_another)  # issue 17: assistance receipts
    app.jinja_env.filters["attachment_size"] = routes.format_size
