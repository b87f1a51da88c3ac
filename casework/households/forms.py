"""Household forms: add a member (an existing case), change a relationship, remove a member,
and the family registration form (the registration form plus the relationship)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from casework.forms import RegistrationForm
from casework.households.vocabulary import Relationship, choices
from core.forms import Form, OptionalChoice

DETAIL = 200


class VersionField(HiddenField):
    """The household version the form was loaded at (0: no household yet), as an int; any
    other value is refused as an out-of-date page."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None

    def pre_validate(self, form: Any) -> None:
        if self.data is None or not isinstance(self.data, int):
            raise ValidationError(_l("The page was out of date. Open it again."))


def _version() -> VersionField:
    return VersionField()


class _RoleFields(Form):
    role = SelectField(
        _l("Relationship"), choices=choices(Relationship), validators=[DataRequired()]
    )
    role_detail = StringField(
        _l("Relationship in your own words"),
        validators=[Optional(), Length(max=DETAIL)],
        description=_l("Optional, e.g. niece, grandmother. Encrypted."),
    )


class AddMemberForm(_RoleFields):
    member_case = SelectField(
        _l("The person's case"),
        choices=[],
        validators=[DataRequired()],
        description=_l("Only open cases you work on, of people in no household yet."),
    )
    own_role = SelectField(
        _l("Relationship of this case's person"),
        choices=[("", "—"), *choices(Relationship)],
        validators=[OptionalChoice()],
        description=_l("This starts the household."),
    )
    version = _version()


class ChangeRoleForm(_RoleFields):
    version = _version()


class RemoveMemberForm(Form):
    version = _version()


class FamilyMemberForm(RegistrationForm):
    """A family member's registration: the person, document and case, and how they are
    related to the household."""

    role = SelectField(
        _l("Relationship in the household"),
        choices=[c for c in choices(Relationship) if c[0] != Relationship.HEAD],
        validators=[DataRequired()],
    )
    role_detail = StringField(
        _l("Relationship in your own words"),
        validators=[Optional(), Length(max=DETAIL)],
        description=_l("Optional, e.g. niece, grandmother. Encrypted."),
    )
