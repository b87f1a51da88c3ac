"""Screening for trafficking, and the recovery and reflection period."""
