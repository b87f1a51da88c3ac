"""Fixtures of the second reader's tests: reuse the casework ones."""

from tests.casework.conftest import agency, caseworker, farida, supervisor  # noqa: F401
