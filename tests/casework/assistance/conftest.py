"""The race app and its world (PostgreSQL) for the assistance races, shared with casework's."""

from tests.casework.test_casework_races_pg import race_app, world  # noqa: F401
