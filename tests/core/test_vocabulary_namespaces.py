"""Every vocabulary is labelled by its own enum: a stored value shared by two lists ("other",
"debt_bondage") never takes the other list's label, and no label text is shared by two lists
unless it means the same thing in both (listed below, with why)."""

from __future__ import annotations

import importlib
import inspect
from collections import defaultdict
from enum import StrEnum
from typing import Any

import pytest
from flask import Flask

from core.vocabulary import Vocabulary, register, registered

#: Every module holding closed vocabularies, and its ``Vocabulary``.
MODULES = [
    "casework.vocabulary",
    "casework.closure.vocabulary",
    "casework.consent.vocabulary",
    "casework.planning.vocabulary",
    "casework.screening.vocabulary",
    "casework.subject_rights.vocabulary",
    "referrals.vocabulary",
    "referrals.directory.vocabulary",
]

#: Label texts deliberately shared, with the lists that share them: the same word for the
#: same idea in each. Any other text shared by two lists fails the test.
SAME_MEANING: dict[str, set[str]] = {
    # A person a screening found to be a victim is a victim of trafficking as a vulnerability.
    "Victim of trafficking": {"Outcome", "Vulnerability"},
    # The ILO indicator and the HTCDS means of control are the same practice.
    "Debt bondage": {"IloIndicator", "MeansOfControl"},
    # A request waiting for a supervisor, a supervisor's decision, a cancelled thing.
    "Waiting for approval": {"PlanStatus", "ClosureStatus", "DisbursementStatus"},
    "Approved": {"Decision", "ClosureStatus", "PlanStatus", "DisbursementStatus"},
    "Returned": {"Decision", "ClosureStatus", "DisbursementStatus"},
    "Cancelled": {"ErasureStatus", "ReferralState", "ActionStatus"},
}
#: Lists of one idea, which may share any label: IOM's three dimensions as planned and as
#: monitored; the kinds of service a consent covers and the directory offers.
SAME_LISTS = [{"Dimension", "MonitoringDimension"}, {"ServiceType", "ServiceKind"}]


def _msgid(text: Any) -> str:
    """The untranslated message of a lazy label (what translators see), else its text."""
    args = getattr(text, "_args", None)
    return str(args[0]) if args else str(text)


def _module_enums(module: Any) -> list[type[StrEnum]]:
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, StrEnum)
        and obj is not StrEnum
        and obj.__module__ == module.__name__
    ]


@pytest.mark.parametrize("name", MODULES)
def test_every_enum_of_a_module_is_labelled_by_its_own_members(name: str) -> None:
    module = importlib.import_module(name)
    vocabulary: Vocabulary = module.VOCABULARY
    for enum in _module_enums(module):
        labels = vocabulary.by_enum[enum]
        assert set(labels) == set(enum)
        assert all(type(key) is enum for key in labels)
        for member in enum:
            text = labels[member]
            assert vocabulary.label(member) is text
            assert vocabulary.label(member.value, enum) is text  # a bare stored value
            assert dict(vocabulary.choices(enum))[member.value] == str(text)
        assert len({_msgid(t) for t in labels.values()}) == len(enum), enum


def test_a_bare_value_without_its_list_is_refused() -> None:
    from casework import vocabulary

    with pytest.raises(TypeError):
        vocabulary.label("other")
    assert vocabulary.label(None) == ""
    assert vocabulary.label("unheard_of", vocabulary.Sex) == "unheard_of"


def test_the_label_filter_labels_every_member_from_its_own_list(app: Flask) -> None:
    vocabularies = registered(app)
    assert {"Sex", "DocumentType", "Vulnerability", "MeansOfControl", "ExploitationType"} <= set(
        vocabularies
    )
    label = app.jinja_env.filters["label"]
    with app.test_request_context():
        for name, (enum, labels) in vocabularies.items():
            assert set(labels) == set(enum) and all(type(k) is enum for k in labels), name
            for member in enum:
                # the text of this list's own label (resolved once a request, core.vocabulary)
                assert label(member.value, name) == str(labels[member]), (name, member)
        assert str(label("other", "Sex")) == "Other sex"
        assert str(label("other", "DocumentType")) == "Other document"
        assert str(label("other", "Vulnerability")) == "Other vulnerability"
        assert str(label("other", "MeansOfControl")) == "Other means of control"
        assert str(label("other", "ExploitationType")) == "Other exploitation"
        assert str(label("other", "DecidingOrganisation")) == "Other organisation"


def test_no_label_text_is_shared_by_two_lists_by_accident(app: Flask) -> None:
    lists_of: dict[str, set[str]] = defaultdict(set)
    for name, (_enum, labels) in registered(app).items():
        for text in labels.values():
            lists_of[_msgid(text)].add(name)
    for name in MODULES:
        for enum, labels in importlib.import_module(name).VOCABULARY.by_enum.items():
            for text in labels.values():
                lists_of[_msgid(text)].add(enum.__name__)
    shared = {text: names for text, names in lists_of.items() if len(names) > 1}
    accidental = {
        text: names
        for text, names in shared.items()
        if not names <= SAME_MEANING.get(text, set())
        and not any(names <= same for same in SAME_LISTS)
    }
    assert not accidental, accidental


def test_a_flat_mapping_of_two_lists_or_a_half_labelled_list_is_refused(app: Flask) -> None:
    class First(StrEnum):
        OTHER = "other"

    class Second(StrEnum):
        OTHER = "other"
        MORE = "more"

    flat = {First.OTHER: "Other first", Second.OTHER: "Other second"}
    assert len(flat) == 1  # why labels are kept by enum: one key, the last label
    with pytest.raises(ValueError, match="Second"):
        register(app, Second, flat, name="SecondOfTwo")
    with pytest.raises(ValueError, match="First"):
        register(app, First, {First.OTHER: "a", Second.MORE: "b"}, name="FirstOfTwo")
    with pytest.raises(ValueError, match="Second"):
        Vocabulary([(Second.OTHER, "Other second")])
    assert "SecondOfTwo" not in registered(app) and "FirstOfTwo" not in registered(app)
