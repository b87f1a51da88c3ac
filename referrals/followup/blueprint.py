"""The follow-through blueprint: pages under /referrals (mine, overdue, figures)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("referral_followup", __name__, url_prefix="/referrals", cli_group=None)
