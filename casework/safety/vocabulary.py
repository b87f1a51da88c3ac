"""Kinds of case flag: a list a deployment can set (``flag_kind``), each with an icon.

The built-in kinds are the warnings caseworkers of counter-trafficking programmes put on a
file; administrators may add local ones (shown with the generic flag icon) and retire any but
"other". Codes are stored, labels come from :mod:`core.lists` in the reader's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.lists.registry import define

#: The list's name in :mod:`core.lists`.
FLAG_KIND = "flag_kind"

RE_TRAFFICKING = "re_trafficking_risk"
THREATS = "threats"
INTERPRETER = "needs_interpreter"
NOT_AT_HOME = "no_contact_at_home"
CHILD_PROTECTION = "child_protection"
MEDICAL = "medical_emergency"
OTHER = "other"

FLAG_KINDS = define(
    FLAG_KIND,
    _l("Case flag kinds"),
    (
        (RE_TRAFFICKING, _l("Risk of re-trafficking")),
        (THREATS, _l("Threats from the recruiter or exploiter")),
        (INTERPRETER, _l("Needs an interpreter")),
        (NOT_AT_HOME, _l("Do not contact at home")),
        (CHILD_PROTECTION, _l("Child protection concern")),
        (MEDICAL, _l("Medical emergency risk")),
        (OTHER, _l("Other")),
    ),
    kept=(OTHER,),
    description=_l("Warnings shown at the top of a case and in case lists."),
)

#: The icon of each built-in kind (names of ``templates/casework/_marks.html``); a kind an
#: administrator added has :data:`DEFAULT_ICON`.
ICONS: dict[str, str] = {
    RE_TRAFFICKING: "alert",
    THREATS: "shield",
    INTERPRETER: "speech",
    NOT_AT_HOME: "home_off",
    CHILD_PROTECTION: "child",
    MEDICAL: "medical",
    OTHER: "flag",
}
DEFAULT_ICON = "flag"


def icon(code: str) -> str:
    return ICONS.get(code, DEFAULT_ICON)
