"""The forms offer each list's own labels: the Sex list never offers "Other document", the
screening lists never "Other organisation" (labels were once looked up by the shared "other")."""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser

from casework import vocabulary as cv
from casework.screening import vocabulary as sv
from tests.casework.helpers import FARIDA, case_url, register, registered_case
from tests.factories import sign_in


class _Options(HTMLParser):
    """(value, label) of every option and every checkbox or radio, by the control's name."""

    def __init__(self) -> None:
        super().__init__()
        self.options: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self._select: str | None = None
        self._option: str | None = None
        self._inputs: dict[str, tuple[str, str]] = {}
        self._label_for: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            self._option, self._text = a.get("value", ""), []
        elif tag == "input" and a.get("type") in {"checkbox", "radio"}:
            self._inputs[a.get("id", "")] = (a.get("name", ""), a.get("value", ""))
        elif tag == "label" and a.get("for") in self._inputs:
            self._label_for, self._text = a["for"], []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._select and self._option is not None:
            self.options[self._select].append((self._option, "".join(self._text).strip()))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "label" and self._label_for:
            name, value = self._inputs[self._label_for]
            self.options[name].append((value, "".join(self._text).strip()))
            self._label_for = None


def options_of(page: str) -> dict[str, dict[str, str]]:
    parser = _Options()
    parser.feed(page)
    return {name: dict(pairs) for name, pairs in parser.options.items()}


def _expected(vocabulary, enum) -> dict[str, str]:
    return {m.value: str(vocabulary.label(m)) for m in enum}


def test_registration_offers_each_lists_own_labels(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    offered = options_of(client.get("/cases/new").get_data(as_text=True))
    assert offered["sex"] == {"": "—", **_expected(cv, cv.Sex)}
    assert offered["sex"]["other"] == "Other sex"
    assert offered["document_type"] == {"": "—", **_expected(cv, cv.DocumentType)}
    assert offered["vulnerabilities"] == _expected(cv, cv.Vulnerability)
    assert offered["vulnerabilities"]["other"] == "Other vulnerability"
    assert offered["case_type"] == _expected(cv, cv.CaseType)


def test_screening_offers_each_lists_own_labels(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    offered = options_of(client.get(f"{url}/screening/new").get_data(as_text=True))
    assert offered["indicators"] == _expected(sv, sv.IloIndicator)
    assert offered["means_of_control"] == _expected(sv, sv.MeansOfControl)
    assert offered["means_of_control"]["other"] == "Other means of control"
    assert offered["exploitation_types"] == _expected(sv, sv.ExploitationType)
    assert offered["exploitation_types"]["other"] == "Other exploitation"
    assert offered["outcome"] == _expected(sv, sv.Outcome)
    deciding = offered["deciding_organisation_type"]
    assert deciding == {"": "—", **_expected(sv, sv.DecidingOrganisation)}
    assert deciding["other"] == "Other organisation"


def test_the_case_page_shows_the_sex_from_its_own_list(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, {**FARIDA, "sex": "other", "document_type": "other"}))
    page = client.get(url).get_data(as_text=True)
    assert "Other sex" in page and page.count("Other document") == 1  # the document's type
