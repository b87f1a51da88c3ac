"""Consent and the other legal bases for processing and sharing a case's data."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The consent panel and vocabulary; its part of the skeleton."""
    from casework.consent import queries, routes, vocabulary
    from casework.signals import case_panels_collecting, legal_basis_asking, skeleton_collecting
    from core.vocabulary import register as register_vocabulary

    case_panels_collecting.connect(routes.case_panel)
    for enum in (
        vocabulary.LegalBasis,
        vocabulary.GivenBy,
        vocabulary.ChildAssent,
        vocabulary.ConsentMethod,
    ):
        register_vocabulary(app, enum, vocabulary.VOCABULARY.by_enum[enum])
    skeleton_collecting.connect(queries.skeleton_part)
    legal_basis_asking.connect(queries.has_legal_basis)
