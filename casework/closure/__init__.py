"""Closing a case with a supervisor's approval, and reopening it."""
