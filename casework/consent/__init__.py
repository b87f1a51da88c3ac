"""Consent and the other legal bases for processing and sharing a case's data."""
