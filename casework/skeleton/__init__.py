"""The statistical skeleton of a case: built from the case while the person's key exists.

What it holds is declared once, in :mod:`casework.skeleton.models` (``SKELETON_FIELDS``).
It is written when the person is erased (``casework.signals.person_erasing``); everything else
of the person is crypto-shredded or cleared then (:mod:`casework.erasure`).

Casework's sub-packages and referrals (an upper layer) add their parts through
``casework.signals.skeleton_collecting``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Keep a skeleton of each case of a person being erased."""
    from casework.signals import person_erasing
    from casework.skeleton import services

    person_erasing.connect(services.keep_skeleton)
