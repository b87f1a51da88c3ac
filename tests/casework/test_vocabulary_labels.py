"""Members of different enums that share a stored value ("other", "debt_bondage") keep their
own labels: one flat dict of StrEnum members kept only the last of them."""

from __future__ import annotations

from casework import vocabulary
from casework.screening import vocabulary as screening


def test_other_means_what_its_own_list_says():
    assert str(vocabulary.label(vocabulary.Sex.OTHER)) == "Other sex"
    assert str(vocabulary.label("other", vocabulary.Sex)) == "Other sex"
    assert str(vocabulary.label("other", vocabulary.DocumentType)) == "Other document"
    assert str(vocabulary.label("other", vocabulary.Vulnerability)) == "Other vulnerability"
    assert dict(vocabulary.choices(vocabulary.Sex))["other"] == "Other sex"


def test_screening_lists_keep_their_own_labels():
    for enum in (screening.MeansOfControl, screening.ExploitationType, screening.IloIndicator):
        labels = dict(screening.choices(enum))
        assert set(labels) == {member.value for member in enum}
    shared = {m.value for m in screening.IloIndicator} & {m.value for m in screening.MeansOfControl}
    for value in shared:  # each label comes from its own list's table
        assert (
            screening.label(value, screening.IloIndicator)
            == screening.LABELS[screening.IloIndicator][screening.IloIndicator(value)]
        )
        assert (
            screening.label(value, screening.MeansOfControl)
            == screening.LABELS[screening.MeansOfControl][screening.MeansOfControl(value)]
        )
