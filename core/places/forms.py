"""The place pickers: a plain <select> (no JavaScript) offering every imported place, a group
per country (the country and its provinces) and per province (its districts), labelled in
the reader's language. Reuse :class:`PlaceField` (one place) or
:class:`PlaceMultipleField` (several) in any form; their data are P-codes."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from core.db import get_session
from core.forms import Form
from core.i18n.names import current_locale
from core.places import queries


def _language() -> str:
    return str(current_locale())


def place_choices(blank: bool = True) -> list[SelectChoice]:
    """Every imported place as grouped choices (a blank "—" first when ``blank``)."""
    choices = [SelectChoice("", "—")] if blank else []
    for group, options in queries.option_groups(get_session(), _language()):
        choices.extend(SelectChoice(code, name, optgroup=group) for code, name in options)
    return choices


class PlaceField(SelectField):
    """One place, or none. ``held`` (the stored P-code) stays valid, shown as its code,
    should its place no longer be in the list."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.held: str | None = None
        self.choices = self._options

    def _options(self) -> list[SelectChoice]:
        choices = place_choices()
        if self.held and not any(c.value == self.held for c in choices):
            choices.append(SelectChoice(self.held, self.held))
        return choices

    def pre_validate(self, form: Any) -> None:
        if not self.data or self.data == self.held:
            return
        if not queries.known_codes(get_session(), [self.data]):
            raise ValidationError(_l("Choose a place from the list."))


class PlaceMultipleField(SelectMultipleField):
    """Several places (P-codes); every one must be an imported place."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.choices = lambda: place_choices(blank=False)

    def pre_validate(self, form: Any) -> None:
        chosen = [v for v in self.data or [] if v]
        if len(chosen) > 500:
            raise ValidationError(_l("Choose at most 500 places."))
        if not all(isinstance(v, str) for v in chosen) or (
            len(queries.known_codes(get_session(), chosen)) != len(set(chosen))
        ):
            raise ValidationError(_l("Choose places from the list."))


class ImportForm(Form):
    """The administrator's upload: the same CSV as ``homeward places import``."""

    file = FileField(
        _l("Places file (CSV)"),
        validators=[FileRequired(_l("Choose a CSV file."))],
        description=_l(
            "Columns admin0_pcode, admin0_name, admin1_pcode, admin1_name, admin2_pcode, "
            "admin2_name, and names per language such as admin1_name_fa. A file with any bad "
            "row is refused whole."
        ),
    )
