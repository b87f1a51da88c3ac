"""Paths of referral pages built without a request (e-mails, commands): plumbing that reads the
running application's URL map, so that the read models (:mod:`referrals.followup.queries`)
name an endpoint and its values and never touch Flask themselves."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app
from werkzeug.routing import BuildError


def referral_target(
    referral_id: uuid.UUID, case_id: uuid.UUID, for_provider: bool
) -> tuple[str, dict[str, Any]]:
    """The endpoint and values of the page showing a referral to its provider or referrer.

    Provider staff get the referral page with the shared fields; the referrer gets the
    referral's page on the case side (the case id is kept for callers that need it).
    """
    del case_id
    if for_provider:
        return "referrals.view", {"referral_id": referral_id}
    return "referrals.case_view", {"referral_id": referral_id}


def referral_path(referral_id: uuid.UUID, case_id: uuid.UUID, for_provider: bool) -> str:
    """The path of :func:`referral_target`, built without a request (e-mails, CLI)."""
    endpoint, values = referral_target(referral_id, case_id, for_provider)
    adapter = current_app.url_map.bind("localhost")
    try:
        return adapter.build(endpoint, values)
    except BuildError:  # pragma: no cover - the endpoints above always exist
        return "/"
