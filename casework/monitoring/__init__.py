"""Monitoring visits and the reintegration sustainability score."""
