"""The figures of the referral mechanism (issue 16), each indicator defined once.

Every indicator is a function of a :class:`Context` returning one :class:`Figure`; its
docstring says exactly what it counts, and the figure's ``definition`` says the same in the
reader's language. Figures come only from the statistical skeleton
(:mod:`casework.skeleton.models`: ``case_skeleton`` and its detail rows), never from the
cases or decrypted data, so erasing a person changes no figure. Every figure is computed with
SQL aggregates (``GROUP BY`` on indexed columns, :mod:`reports.queries`); no skeleton is loaded
into Python. Medians are taken from ``(value, how many)`` histograms that SQL returns.

**Which cases.** :func:`reports.queries.skeleton_conditions` applies the same filters to every
table (organisation of the case, case type, sex, age band, nationality). The period selects
by the case's *registration month* unless an indicator says otherwise: referrals by the month
they were sent, closures by the month of closure, erasures by the month of erasure.

**Unknown values** become an "Unknown" row, never dropped. Rows of coded values list every
code of the vocabulary (zeros included, so tables keep their shape), then codes the vocabulary
does not know, then "Unknown".

**Protection.** Every count table leaves this module through
:func:`reports.suppression.protect` (``settings.small_cell_threshold``). A
:class:`~reports.tables.StatTable`'s ``n`` column is protected like a count column (through
``protect`` when its last row is the total of the others, so the total cannot give a row
back); a row whose ``n`` is suppressed has every statistic withheld.

**Speed.** A first (uncached) page at 100,000 people reads few scans: the counts of the
people registered that several figures share are one ``GROUPING SETS`` query on PostgreSQL
(:mod:`~reports.indicators.tally`; one ``GROUP BY`` a set elsewhere), as are the referral
counts and days; the scores are one ``GROUP BY`` (:mod:`~reports.indicators.scores`); and
flags on the skeleton's detail rows (:mod:`casework.skeleton.derived`: each person's latest
score, first code of a field, action due first) make the latest scores and the people with
a code or with actions due plain aggregates, with no grouping by person first. On
PostgreSQL these scans are read side by side on several connections in one snapshot
(:mod:`~reports.indicators.prefetch`).

The package's modules: :mod:`~reports.indicators.common` (the :class:`Context` and the shared
helpers), :mod:`~reports.indicators.tally` and :mod:`~reports.indicators.scores` (the
shared scans), one module a section (:mod:`~reports.indicators.identification`,
:mod:`~reports.indicators.timeliness`, :mod:`~reports.indicators.referrals`,
:mod:`~reports.indicators.monitoring`, :mod:`~reports.indicators.closures`),
:mod:`~reports.indicators.api` (:func:`compute`, :func:`headline`, :data:`SECTIONS`) and
:mod:`~reports.indicators.cache` (:func:`figures` and its cache).
"""

from __future__ import annotations

from reports.indicators.api import SECTIONS, compute, headline, sections_of
from reports.indicators.cache import CACHE_ENTRIES, CACHE_SECONDS, figures, forget_cached
from reports.indicators.closures import (
    cases_reopened,
    cases_transferred,
    closures_by_reason,
    people_erased,
)
from reports.indicators.common import (
    COMPOSITE,
    COUNTED_CODE_FIELDS,
    DEFAULT_VISIT_INTERVAL_DAYS,
    IDENTIFIED_VICTIM_TYPES,
    MAX_TREND_MONTHS,
    PROFILE,
    REFERRAL_KEYS,
    REFERRAL_STATES,
    Context,
    context,
)
from reports.indicators.identification import (
    registered_by_age_band,
    registered_by_case_type,
    registered_by_exploitation_type,
    registered_by_means_of_control,
    registered_by_month,
    registered_by_nationality,
    registered_by_province,
    registered_by_sex,
    registered_children,
)
from reports.indicators.monitoring import (
    monitoring_visits,
    plan_actions_on_time,
    sustainability_by_dimension,
    sustainability_by_quarter,
    visits_due,
)
from reports.indicators.publishing import linked_tables_agree, published_headline
from reports.indicators.referrals import (
    referral_answer_times,
    referral_completion_times,
    referrals_by_provider,
    referrals_by_service_type,
    referrals_declined_by_reason,
    referrals_transnational,
)
from reports.indicators.timeliness import plan_within_due, reflection_periods, time_to_steps

__all__ = [
    "CACHE_ENTRIES",
    "CACHE_SECONDS",
    "COMPOSITE",
    "COUNTED_CODE_FIELDS",
    "DEFAULT_VISIT_INTERVAL_DAYS",
    "IDENTIFIED_VICTIM_TYPES",
    "MAX_TREND_MONTHS",
    "PROFILE",
    "REFERRAL_KEYS",
    "REFERRAL_STATES",
    "SECTIONS",
    "Context",
    "cases_reopened",
    "cases_transferred",
    "closures_by_reason",
    "compute",
    "context",
    "figures",
    "forget_cached",
    "headline",
    "linked_tables_agree",
    "monitoring_visits",
    "people_erased",
    "plan_actions_on_time",
    "plan_within_due",
    "published_headline",
    "referral_answer_times",
    "referral_completion_times",
    "referrals_by_provider",
    "referrals_by_service_type",
    "referrals_declined_by_reason",
    "referrals_transnational",
    "reflection_periods",
    "registered_by_age_band",
    "registered_by_case_type",
    "registered_by_exploitation_type",
    "registered_by_means_of_control",
    "registered_by_month",
    "registered_by_nationality",
    "registered_by_province",
    "registered_by_sex",
    "registered_children",
    "sections_of",
    "sustainability_by_dimension",
    "sustainability_by_quarter",
    "time_to_steps",
    "visits_due",
]
