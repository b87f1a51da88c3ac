"""Lists a deployment can set: coded vocabularies whose entries are a matter of local practice.

A list is defined in code (:func:`core.lists.registry.define`) with its built-in entries, each
a stable code and a translated label. Administrators add entries, give any entry a label per
language and retire entries; the database keeps only what they changed
(:class:`core.lists.models.ListEntry`). Codes never change; a retired entry stays readable on
old records and is no longer offered. Lists whose values carry rules in code (stages,
referral states, consent bases) are not defined here and stay fixed.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The ``term`` template filter: ``code|term("closure_reason")`` is the entry's label."""
    from core.lists.queries import current_label

    app.jinja_env.filters["term"] = lambda code, name: current_label(name, code)
