"""Forms of sign-in, second factor and account pages."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from auth.passwords import MAX_LENGTH
from core.extensions import language_choices
from core.forms import Form, OptionalChoice
from core.i18n.fields import CountryField, TimeZoneField
from core.permissions import Role
from core.vocabulary import choices_in


class LoginForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    # Length is checked by the service so that over-long input gets the generic message.
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class SecondFactorForm(Form):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )


class EnrolForm(Form):
    code = StringField(
        _l("Six-digit code from your authenticator app"),
        validators=[DataRequired(), Length(min=6, max=7)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class NewPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH + 1)],
        description=_l(
            "At least 15 characters. Any language, spaces allowed; a few unrelated words work well."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "new-password"},
    )


class ReauthForm(Form):
    current_password = PasswordField(
        _l("Your current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        _l("Code from your authenticator app (if you use one)"),
        validators=[Length(max=20)],
        render_kw={"autocomplete": "one-time-code"},
    )


def role_choices() -> list[tuple[str, str]]:
    return choices_in(ROLE_LABELS, Role)


ROLE_LABELS = {
    Role.CASEWORKER: _l("Caseworker"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.PROVIDER_STAFF: _l("Provider staff"),
    Role.AUDITOR: _l("Auditor"),
    Role.ADMINISTRATOR: _l("Administrator"),
    Role.ANALYST: _l("Statistics analyst"),
}


def language_options() -> list[tuple[str, str, dict[str, str]]]:
    """The languages offered (complete catalogues only), each named in itself and marked with
    its language so that a screen reader pronounces it right."""
    return [(code, name, {"lang": code.replace("_", "-")}) for code, name in language_choices()]


def default_language() -> str:
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


class LanguageForm(Form):
    """The language switcher of the sign-in and account pages."""

    language = SelectField(_l("Language"), choices=language_options, validators=[DataRequired()])


class UserFilterForm(Form):
    query = StringField(_l("Name or e-mail contains"), validators=[Length(max=100)])
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False)


class UserForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(),
            Length(max=254),
            # Deliberately loose: intranet addresses (.local, .internal) must be accepted.
            Regexp(r"^[^@\s]+@[^@\s]+\Z", message=_l("Enter an address like name@agency.org.")),
        ],
    )
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organisation = SelectField(_l("Organisation"), validators=[DataRequired()], choices=[])
    role = SelectField(_l("Role"), validators=[DataRequired()], choices=[])
    preferred_language = SelectField(
        _l("Language"),
        choices=language_options,
        default=default_language,
        validators=[DataRequired()],
    )


class UserEditForm(UserForm):
    email = EmailField(_l("E-mail address"), render_kw={"readonly": True})


class OrganisationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    code = StringField(
        _l("Short code"),
        validators=[DataRequired(), Length(min=2, max=12), Regexp(r"^[A-Za-z0-9-]+\Z")],
        description=_l("Letters, digits and dashes; used in case numbers. Cannot change later."),
    )
    country = CountryField(_l("Country"), validators=[DataRequired()])
    time_zone = TimeZoneField(
        _l("Time zone"),
        validators=[OptionalChoice()],
        description=_l("Dates and times are shown in it to members who chose none."),
    )
    is_case_agency = BooleanField(_l("Manages cases (government agency or NGO)"))
    is_provider = BooleanField(_l("Provides services (receives referrals)"))
    active = BooleanField(_l("Active"), default=True)


class TimeZoneForm(Form):
    time_zone = TimeZoneField(
        _l("Your time zone"),
        validators=[OptionalChoice()],
        description=_l("Leave it blank to use your organisation's."),
    )


class PasswordResetRequestForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )


class ChangePasswordForm(ReauthForm, NewPasswordForm):
    """Current password (and code) first, then the new password twice."""


class ReplaceSecondFactorForm(ReauthForm):
    """Proof of the current password and code before a new authenticator is set up."""


class LinkPasswordForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


# -- lists a deployment can set (issue 17: lists) ---------------------------------------------


class ListEntryForm(Form):
    """An entry of a list: its labels per language (fields ``label_<locale>``, added by
    :func:`list_entry_form`) and the version it was loaded at."""

    version = HiddenField()


class NewListEntryForm(ListEntryForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=30)],
        description=_l(
            "Stored on records and never changed: lower-case letters, digits and underscores, "
            "starting with a letter (for example cash_for_work)."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false", "dir": "ltr"},
    )


class ListEntryStateForm(Form):
    """Retire an entry or offer it again (a button), against the version shown."""

    version = HiddenField()


def list_entry_form(
    locales: list[str], *, new: bool, data: dict[str, Any] | None = None
) -> ListEntryForm:
    """The add (``new``) or edit form of a list entry with one label field per language."""
    from core.extensions import is_right_to_left
    from core.locales import endonym

    attrs: dict[str, Any] = {}
    for locale in locales:
        attrs[f"label_{locale}"] = StringField(
            _l("Label in %(language)s", language=endonym(locale)),
            validators=[Optional(), Length(max=120)],
            render_kw={
                "lang": locale.replace("_", "-"),
                "dir": "rtl" if is_right_to_left(locale) else "ltr",
                "autocomplete": "off",
            },
        )
    form_class = type("ListEntryLabelsForm", (NewListEntryForm if new else ListEntryForm,), attrs)
    form: ListEntryForm = form_class(data=data or {})
    return form
