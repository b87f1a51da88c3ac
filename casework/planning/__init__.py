"""Needs and vulnerability assessment, and the reintegration plan with supervisor approval."""
