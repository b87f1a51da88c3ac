"""The statistical skeleton of a case: one per case, kept current while the person exists and
kept, unlinked, after the person is erased.

What it holds is declared once, in :mod:`casework.skeleton.models` (``SKELETON_FIELDS``).
It is rebuilt after every flush that touches the case (:mod:`casework.skeleton.tracking`), and
its final snapshot is taken when the person is erased (``casework.signals.person_erasing``),
whose link to the case is then deleted; everything else of the person is crypto-shredded or
cleared then (:mod:`casework.erasure`). Figures read skeletons only, never decrypted personal
data, so erasing a person changes no figure.

Cases registered before skeletons were kept current get theirs from
``homeward cases rebuild-skeletons`` (or lazily, :func:`casework.skeleton.services.fill_missing`).

Casework's sub-packages and referrals (an upper layer) add their parts through
``casework.signals.skeleton_collecting``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Keep each case's skeleton current, and a final snapshot when its person is erased
    (``homeward cases rebuild-skeletons`` is hung on the casework group by casework)."""
    from casework.signals import person_erasing
    from casework.skeleton import changes, derived, services, tracking

    person_erasing.connect(services.keep_skeleton)
    tracking.listen()
    derived.listen()
    changes.listen()
