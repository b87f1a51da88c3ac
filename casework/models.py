"""Casework models (people and cases arrive with the Casework issue)."""

from __future__ import annotations
