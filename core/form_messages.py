"""WTForms' own messages ("This field is required.", "Not a valid choice.", length limits...)
in the user's language.

WTForms asks its form's ``Meta.get_translations`` for an object with ``gettext`` and
``ngettext``; :class:`core.forms.Form` answers with :data:`translations`. A message is looked up
first in Homeward's catalogue (the messages are listed below so that extraction puts them in
``messages.pot`` and the translators see them beside the rest of the product), then in the
catalogue WTForms ships, else it stays in English.
"""

from __future__ import annotations

from babel import support
from flask import has_request_context
from flask_babel import get_locale, get_translations
from wtforms.i18n import messages_path


def N_(message: str) -> str:
    """Mark a message for extraction without translating it here."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular and plural message for extraction (as ``ngettext`` would be)."""
    return singular, plural


#: The messages WTForms' validators and fields show, as WTForms writes them.
MESSAGES = (
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid URL."),
    N_("Invalid UUID."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_("Not a valid date value."),
    N_("Not a valid datetime value."),
    N_("Not a valid time value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("Field must be equal to %(other_name)s."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
)

PLURAL_MESSAGES = (
    N_plural(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
    ),
    N_plural(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
    ),
    N_plural(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
    ),
    N_plural(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
    ),
)


def _wtforms_catalogue() -> support.NullTranslations:
    """The catalogue WTForms ships for the request's language (Flask-Babel's locale)."""
    locale = get_locale()
    if locale is None:
        return support.NullTranslations()
    found = support.Translations.load(messages_path(), [str(locale)], domain="wtforms")
    return found


class Translations:
    """Homeward's catalogue first, WTForms' own next, English last."""

    def gettext(self, string: str) -> str:
        if not has_request_context():
            return string
        ours = str(get_translations().ugettext(string))
        if ours != string:
            return ours
        return str(_wtforms_catalogue().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if not has_request_context():
            return singular if n == 1 else plural
        ours = str(get_translations().ungettext(singular, plural, n))
        if ours not in (singular, plural):
            return ours
        return str(_wtforms_catalogue().ungettext(singular, plural, n))


translations = Translations()
