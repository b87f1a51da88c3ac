"""The planning blueprint, nested in casework's (its views live in the route modules)."""

from flask import Blueprint

blueprint = Blueprint("planning", __name__, url_prefix="/<uuid:case_id>")
