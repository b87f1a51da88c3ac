"""What follow-through stores: the referrer's acknowledgement of an expired referral.

An expired referral (no answer by the deadline) needs the referrer's attention — refer again
elsewhere or decide it is no longer needed — until they acknowledge it. Overdue lists, the
navigation count and the supervisor's escalation stop showing it from then on.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base
from referrals.models import Referral


class ReferralAcknowledgement(Base):
    """The referrer (or their supervisor) has seen that a referral expired and acted on it."""

    __tablename__ = "referral_acknowledgement"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referral.id"), primary_key=True)
    acknowledged_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_at: Mapped[datetime] = mapped_column(default=utcnow)


#: "My referrals" and the referrer's navigation count look referrals up by referrer and state.
Index("ix_referral_referrer_state", Referral.__table__.c.referrer_id, Referral.__table__.c.state)
