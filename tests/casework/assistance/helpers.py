"""Recording assistance through the real forms, shared by the assistance tests."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from casework.assistance.models import Disbursement
from tests.factories import post_form


def grant(delivered_by: uuid.UUID, **overrides: str) -> dict[str, str]:
    data = {
        "kind": "business_grant",
        "amount": "900",
        "currency": "USD",
        "delivered_on": date.today().isoformat(),
        "delivered_by": str(delivered_by),
        "plan_action": "",
        "note": "Sewing machine and fabric for the tailoring shop",
    }
    data.update(overrides)
    return data


def record(client, url: str, data: dict[str, str]):
    return post_form(client, f"{url}/assistance/new", data)


def latest(db_session) -> Disbursement:
    db_session.expire_all()
    return db_session.scalar(select(Disbursement).order_by(Disbursement.requested_at.desc()))
