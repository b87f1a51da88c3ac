"""The front door: ``/`` sends each user to the landing page of their first navigation entry
(case teams: Today; provider staff: the referral inbox; auditors: the alerts)."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from core.extensions import nav_items


def index() -> ResponseReturnValue:
    items = nav_items()
    if items:
        return redirect(url_for(items[0][0].landing_endpoint))
    return render_template("home.html")
