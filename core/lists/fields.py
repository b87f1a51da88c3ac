"""Form fields offering a list's entries: choices read when the form is built, in the user's
language, with the retired entries the record already holds kept so an edit does not lose them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import RadioField, SelectField

from core.forms import MultiCheckboxField
from core.lists.queries import current_choices


def _held(data: Any) -> list[str]:
    if data is None or data == "":
        return []
    if isinstance(data, str):
        return [data]
    if isinstance(data, Iterable):
        return [str(value) for value in data]
    return [str(data)]


class TermSelectField(SelectField):
    """One entry of the list ``list_name`` (``blank`` puts an empty first choice)."""

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        *,
        list_name: str,
        blank: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, choices=[], **kwargs)
        self.list_name = list_name
        self.blank = blank

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        keep = _held(self.object_data)
        found = current_choices(self.list_name, keep=keep)
        self.choices = [("", str(self.blank)), *found] if self.blank is not None else found


class TermRadioField(RadioField):
    """One entry of the list ``list_name``, as radio buttons."""

    def __init__(
        self, label: Any = None, validators: Any = None, *, list_name: str, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, choices=[], **kwargs)
        self.list_name = list_name

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        self.choices = current_choices(self.list_name, keep=_held(self.object_data))


class TermMultiField(MultiCheckboxField):
    """Several entries of the list ``list_name``, as checkboxes."""

    def __init__(
        self, label: Any = None, validators: Any = None, *, list_name: str, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, choices=[], **kwargs)
        self.list_name = list_name

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        self.choices = current_choices(self.list_name, keep=_held(self.object_data))
