"""The upload form. The file's type and size are judged by the service, from its bytes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional

from core.forms import Form


class AttachmentForm(Form):
    # Its description names the size limit, a setting: see routes._new_form.
    attachment_file = FileField(
        _l("File to attach"),
        validators=[FileRequired(message=_l("Choose a file to attach."))],
    )
    attachment_description = StringField(
        _l("Short description"),
        validators=[Optional(), Length(max=300)],
        description=_l('What the file is, e.g. "medical certificate". At most 300 characters.'),
    )
