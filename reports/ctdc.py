"""The anonymised case-level export in the Counter Trafficking Data Collaborative's format.

One row per case, read from the statistical skeleton only (:mod:`casework.skeleton`: coded,
coarse values, never decrypted personal data), with the column names of CTDC's published
global k-anonymised dataset. References:

* CTDC, *Global K-anonymised Dataset* and its data dictionary ("CTDC Global K-anon Dataset
  DATA DICTIONARY", version 2021-08-25), https://www.ctdatacollaborative.org/page/global-k-anonymized-dataset
  (columns ``yearOfRegistration``, ``Datasource``, ``gender``, ``ageBroad``, ``majorityStatus``,
  ``majorityStatusAtExploit``, ``majorityEntry``, ``citizenship``, ``meansOfControl...``,
  ``is...Exploit``, ``recruiterRelation...``, ``CountryOfExploitation``; age bands
  ``0--8`` ... ``48+``; flags 1/0, blank when unknown; countries as ISO 3166-1 alpha-2);
* IOM/UN Migration, *Human Trafficking Case Data Standard* (HTCDS),
  https://github.com/UNMigration/HTCDS (``HTCDS Field Reference.md``, ``Field Definitions.md``):
  the coded lists Homeward's screening uses (means of control, types of exploitation).

**Quasi-identifiers** (:data:`QUASI_IDENTIFIERS`): ``yearOfRegistration``, ``gender``,
``ageBroad``, ``majorityStatus``, ``citizenship`` and ``CountryOfExploitation``. Each has a
ladder of generalisations (:data:`LADDERS`): years to five-year spans, CTDC's age bands to
four and then two bands, countries fewer than k people share to ``Other``; the top rung of
each is blank (unknown). Starting from the finest, the rung that leaves the fewest rows in
combinations of fewer than k is climbed, one step at a time, until at most
:data:`MAX_SUPPRESSED_SHARE` of the rows would be left; those rows are then suppressed, so
every combination of the six written occurs at least k times (k = 11 by default, CTDC's own;
``HOMEWARD_EXPORT_MIN_GROUP``). Rows are written sorted by their values, so their order says
nothing of when a case was registered.

Nothing else leaves: no name, number, identifier, date finer than a year, place name or free
text. The other columns are flags and codes; they are not quasi-identifiers in CTDC's sense,
but a rare flag within a group of k can still say something of that group (the residual
risk of any k-anonymous release, as in CTDC's own). The codes map to CTDC's columns through
the trafficking story's vocabulary (``casework.screening.vocabulary.CTDC_COLUMNS``), the one
mapping of the two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from casework.screening.vocabulary import (
    CTDC_COLUMNS,
    ExploitationType,
    Majority,
    MeansOfControl,
    RecruiterRelation,
)

#: Share of the rows the export may suppress before it generalises further.
MAX_SUPPRESSED_SHARE = 0.05
DATASOURCE = "Case Management"

QUASI_IDENTIFIERS = (
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    "CountryOfExploitation",
)


def _by_column(mapping: dict[str, str], prefix: str = "") -> dict[str, set[str]]:
    """CTDC column (without ``prefix``) -> the Homeward codes it covers, in first-seen order."""
    grouped: dict[str, set[str]] = {}
    for code, column in mapping.items():
        grouped.setdefault(column.removeprefix(prefix), set()).add(code)
    return grouped


#: CTDC's means-of-control columns (after ``meansOfControl``) and the codes each covers: one
#: mapping with the screening's vocabulary (``CTDC_COLUMNS``), so the two never disagree.
MEANS_OF_CONTROL = _by_column(CTDC_COLUMNS[MeansOfControl], "meansOfControl")
#: CTDC's exploitation columns and the HTCDS types of exploitation each covers.
EXPLOITATION = _by_column(CTDC_COLUMNS[ExploitationType])
#: CTDC's recruiter-relation columns and the codes each covers.
RECRUITER = _by_column(CTDC_COLUMNS[RecruiterRelation])

COLUMNS: tuple[str, ...] = (
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "majorityStatusAtExploit",
    "majorityEntry",
    "citizenship",
    *(f"meansOfControl{name}" for name in MEANS_OF_CONTROL),
    "meansOfControlNotSpecified",
    *EXPLOITATION,
    "isSexAndLabour",
    *RECRUITER,
    "CountryOfExploitation",
)

AGE_BANDS = {  # CTDC's bands (Homeward's skeleton keeps them as "0-8" ... "48+")
    "0-8": "0--8",
    "9-17": "9--17",
    "18-20": "18--20",
    "21-23": "21--23",
    "24-26": "24--26",
    "27-29": "27--29",
    "30-38": "30--38",
    "39-47": "39--47",
    "48+": "48+",
}
_AGE_WIDER = {
    "0--8": "0--17",
    "9--17": "0--17",
    "18--20": "18--29",
    "21--23": "18--29",
    "24--26": "18--29",
    "27--29": "18--29",
    "30--38": "30--47",
    "39--47": "30--47",
    "48+": "48+",
}
_GENDER = {"female": "Female", "male": "Male"}  # other and unknown: blank (too rare to keep)


@dataclass(frozen=True)
class Export:
    """What an export writes, and what it says of itself (never the figures themselves)."""

    rows: list[dict[str, str]]
    suppressed: int
    #: The smallest group of identical quasi-identifiers written (None: nothing written).
    k: int | None
    #: The rung of each quasi-identifier's ladder used (0: as recorded).
    levels: dict[str, int]


def _flag(codes: Any, wanted: set[str]) -> str:
    if not isinstance(codes, list | tuple | set):
        return ""
    return "1" if set(codes) & wanted else "0"


def _majority(value: Any) -> str:
    """CTDC's Minor/Adult of the story's child/adult (CTDC_COLUMNS[Majority], the one mapping)."""
    return CTDC_COLUMNS[Majority].get(str(value or "").lower(), "")


def _country(value: Any) -> str:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple | set):
        return ""
    found = sorted({str(v).upper()[:2] for v in value if v})
    return found[0] if len(found) == 1 else ("Multiple" if found else "")


def _recruiter(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple | set) or not value:
        return dict.fromkeys(RECRUITER, "")
    codes = {str(v) for v in value}
    known = set().union(*RECRUITER.values())
    found = {name: _flag(list(codes), wanted) for name, wanted in RECRUITER.items()}
    if codes - known:  # a code the vocabulary does not know: Other
        found["recruiterRelationOther"] = "1"
    return found


def _means(skeleton: Any) -> dict[str, str]:
    codes = skeleton.means_of_control
    if codes is None and skeleton.screening_outcome is None:
        names = [*MEANS_OF_CONTROL, "NotSpecified"]
        return {f"meansOfControl{name}": "" for name in names}
    codes = list(codes or [])
    found = {f"meansOfControl{n}": _flag(codes, wanted) for n, wanted in MEANS_OF_CONTROL.items()}
    found["meansOfControlNotSpecified"] = "0" if codes else "1"
    return found


def _exploitation(codes: Any) -> dict[str, str]:
    found = {name: _flag(codes, wanted) for name, wanted in EXPLOITATION.items()}
    both = found["isForcedLabour"] == "1" and found["isSexualExploit"] == "1"
    found["isSexAndLabour"] = "" if codes is None else ("1" if both else "0")
    return found


def ctdc_row(skeleton: Any) -> dict[str, str]:
    """One case's row, as recorded (before generalisation), from its skeleton."""
    month = skeleton.registered_month or ""
    row = {
        "yearOfRegistration": month[:4],
        "Datasource": DATASOURCE,
        "gender": _GENDER.get(skeleton.sex or "", ""),
        "ageBroad": AGE_BANDS.get(skeleton.age_band or "", ""),
        "majorityStatus": {True: "Minor", False: "Adult"}.get(skeleton.child, ""),
        "majorityStatusAtExploit": _majority(skeleton.majority_at_exploitation),
        "majorityEntry": "",  # not recorded: age at entry into the country of exploitation
        "citizenship": (skeleton.nationality or "").upper()[:2],
        **_means(skeleton),
        **_exploitation(skeleton.exploitation_types),
        **_recruiter(skeleton.recruiter_relation),
        "CountryOfExploitation": _country(skeleton.exploitation_countries),
    }
    return {name: row[name] for name in COLUMNS}


def _year(value: str, level: int, _rare: set[str]) -> str:
    if level == 0 or not value.isdigit():
        return value if level == 0 else ""
    if level == 1:
        start = int(value) - (int(value) - 1) % 5
        return f"{start}--{start + 4}"
    return ""


def _age(value: str, level: int, _rare: set[str]) -> str:
    if level == 0:
        return value
    if level == 1:
        return _AGE_WIDER.get(value, "")
    if level == 2 and value:
        return "0--17" if _AGE_WIDER.get(value) == "0--17" else "18+"
    return ""


def _kept(value: str, level: int, _rare: set[str]) -> str:
    return value if level == 0 else ""


def _place(value: str, level: int, rare: set[str]) -> str:
    if level == 0:
        return value
    if level == 1:
        return "Other" if value in rare else value
    return ""


Ladder = Callable[[str, int, set[str]], str]

#: Each quasi-identifier's generalisations, with the number of rungs above "as recorded".
LADDERS: dict[str, tuple[Ladder, int]] = {
    "yearOfRegistration": (_year, 2),
    "gender": (_kept, 1),
    "ageBroad": (_age, 3),
    "majorityStatus": (_kept, 1),
    "citizenship": (_place, 2),
    "CountryOfExploitation": (_place, 2),
}
#: Which ladder to climb first when two leave as many rows behind.
PREFERENCE = (
    "yearOfRegistration",
    "CountryOfExploitation",
    "citizenship",
    "ageBroad",
    "majorityStatus",
    "gender",
)


def _rare(rows: Sequence[dict[str, str]], column: str, k: int) -> set[str]:
    counts = Counter(row[column] for row in rows)
    return {value for value, n in counts.items() if value and n < k}


def _keys(
    rows: Sequence[dict[str, str]], levels: dict[str, int], rare: dict[str, set[str]]
) -> list[tuple[str, ...]]:
    return [
        tuple(LADDERS[q][0](row[q], levels[q], rare[q]) for q in QUASI_IDENTIFIERS) for row in rows
    ]


def _left_behind(keys: list[tuple[str, ...]], k: int) -> int:
    return sum(n for n in Counter(keys).values() if n < k)


def _levels(
    rows: Sequence[dict[str, str]], k: int, rare: dict[str, set[str]], share: float
) -> dict[str, int]:
    """Climb the ladders, the one that helps most first, until few enough rows are left."""
    levels = dict.fromkeys(QUASI_IDENTIFIERS, 0)
    while _left_behind(_keys(rows, levels, rare), k) > share * len(rows):
        options = [q for q in PREFERENCE if levels[q] < LADDERS[q][1]]
        if not options:
            break

        def left(q: str) -> int:
            return _left_behind(_keys(rows, {**levels, q: levels[q] + 1}, rare), k)

        best = min(options, key=lambda q: (left(q), PREFERENCE.index(q)))
        levels[best] += 1
    return levels


def anonymise(
    recorded: Iterable[dict[str, str]], k: int = 11, share: float = MAX_SUPPRESSED_SHARE
) -> Export:
    """Generalise the quasi-identifiers and suppress the rows still in groups under k."""
    if k < 2:
        raise ValueError("k must be at least 2")
    rows = list(recorded)
    rare = {q: _rare(rows, q, k) for q in QUASI_IDENTIFIERS}
    levels = _levels(rows, k, rare, share)
    keys = _keys(rows, levels, rare)
    sizes = Counter(keys)
    written = []
    for row, key in zip(rows, keys, strict=True):
        if sizes[key] >= k:
            written.append({**row, **dict(zip(QUASI_IDENTIFIERS, key, strict=True))})
    written.sort(key=lambda row: tuple(row[c] for c in COLUMNS))
    kept = [n for n in sizes.values() if n >= k]
    return Export(written, len(rows) - len(written), min(kept) if kept else None, levels)
