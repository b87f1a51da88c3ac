"""The erasure request form (a reason code); confirmations and cancellations are plain POSTs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import DataRequired

from casework.subject_rights.vocabulary import ErasureReason, choices
from core.forms import Form


class ErasureRequestForm(Form):
    reason = RadioField(
        _l("Why the person's data is erased"),
        choices=choices(ErasureReason),
        validators=[DataRequired(message=_l("Choose a reason."))],
    )
