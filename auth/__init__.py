"""Organisations, users, roles, login, second factor, sessions and user administration."""
