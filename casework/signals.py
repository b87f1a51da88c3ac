"""Signals casework sends: for upper layers (referrals) to act on without being imported, and
for casework's sub-packages to talk to one another without importing each other."""

from __future__ import annotations

from core.signals import Namespace

_signals = Namespace()

#: Sent with the withdrawn ``LegalBasisRecord`` as sender and ``session``, ``actor`` and
#: ``case`` as keyword arguments, after the withdrawal was flushed and audited. Receivers act in
#: the same transaction (e.g. Referrals cancels referrals that relied on it).
consent_withdrawn = _signals.signal("consent-withdrawn")

#: Sent with a :class:`Case` as sender and ``session`` while its statistical skeleton is built
#: (the person's key still exists); each receiver returns a dict of the skeleton fields it
#: owns (Referrals: ``first_referral_month`` and ``referrals``; casework's screening, consent,
#: planning, closure and monitoring theirs), see casework.skeleton.
skeleton_collecting = _signals.signal("skeleton-collecting")
#: Sent with each :class:`Case` of a person about to be erased as sender and ``session``, while
#: the person's data key still exists, and ``actor`` (None for the retention job): receivers
#: keep what outlives the person (the skeleton) or end what waited for it (erasure requests).
person_erasing = _signals.signal("person-erasing")

#: Sent with the :class:`Case` whose person's details were changed as sender and ``session``,
#: ``actor``, ``before`` (the old values by field), ``changed`` (the field names) and ``reason``,
#: after the change was flushed and audited (subject rights keeps the correction records).
person_corrected = _signals.signal("person-corrected")

#: Sent with the transferred :class:`Case` as sender and ``session`` and ``actor``, after the
#: case moved to its new organisation (flushed) and before the transfer is audited. Receivers
#: end the requests the old organisation alone could decide (closure, erasure).
case_transferred = _signals.signal("case-transferred")

#: Sent with ``None`` as sender, ``session`` and ``case_ids`` (None: every case); each receiver
#: returns a dict ``{case_id: datetime}`` of when cases were last closed (closure), for
#: retention.
closing_dates_collecting = _signals.signal("closing-dates-collecting")

#: Sent with a ``LegalBasisRecord`` as sender and ``session``; each receiver returns a list of
#: ``casework.consent.dependencies.Dependent``: what relies on that legal basis (Referrals: the
#: referrals sent under it), listed on the consent panel and the withdrawal page.
consent_dependents_collecting = _signals.signal("consent-dependents-collecting")

#: Sent with ``None`` as sender and ``session`` and ``ids`` (the ``referral_id`` of plan
#: actions); each receiver returns a dict ``{id: casework.planning.links.ActionLink}`` for the
#: ids it knows (Referrals: reference and state), shown on the plan page.
plan_action_links_collecting = _signals.signal("plan-action-links-collecting")

#: Sent with the signed-in ``Actor`` as sender and ``session``; each receiver returns the list
#: of ``casework.tasks.Task`` it derives for that actor (every package's ``tasks.py`` has one
#: receiver, ``tasks_of``, over its ``SOURCES``). The task list and its navigation count read it.
tasks_collecting = _signals.signal("tasks-collecting")

#: Sent with the :class:`Case` shown on the case page as sender and the ``actor``; each
#: receiver returns the ``casework.panels.CasePanel`` it adds to the page (Referrals: the
#: case's referrals), so the case page shows them without casework importing their packages.
case_panels_collecting = _signals.signal("case-panels-collecting")

#: Sent with the signed-in ``Actor`` as sender and ``session`` and ``settings``; each receiver
#: returns a list of ``casework.tasks.Task`` that wait for the actor beyond the task list
#: (Referrals: answers to read, declined referrals), shown on the Today page only
#: (see casework.today.registry).
today_items_collecting = _signals.signal("today-items-collecting")

#: Sent with a :class:`Case` as sender and ``session``; a receiver returns True when a legal
#: basis for processing the case's data is in force (consent answers), so screening can say
#: that consent comes first without importing consent.
legal_basis_asking = _signals.signal("legal-basis-asking")

#: Sent with a :class:`Case` as sender and ``session``; a receiver returns the list of the case
#: ids of the case's household (the case's own included, members without a case left out), so
#: assistance can apply its per-household limit without importing households. No receiver, or
#: an empty answer, means the case stands alone.
household_cases_asking = _signals.signal("household-cases-asking")

# issue 17: assistance
#: Sent with a :class:`Case` as sender and ``session``; a receiver (planning) returns a list
#: of ``(action_id, label)`` of the open actions of the case's plan (labels decrypted, for a
#: form of this request only), so assistance links a disbursement to one without importing
#: planning. No receiver: the case has no plan actions to offer.
plan_actions_asking = _signals.signal("plan-actions-asking")

#: Sent with a :class:`Case` as sender and ``session``, ``actor``, ``data`` (bytes),
#: ``file_name``, ``description`` and ``max_bytes``; a receiver (attachments) seals the file
#: as a case attachment, audits it and returns its id, or raises its ``ServiceError`` with the
#: message for the user (audited too). Assistance attaches receipts through it.
case_file_attaching = _signals.signal("case-file-attaching")
#: Sent with the :class:`Case` shown on the case page as sender and the ``actor``; each
#: receiver returns a ``casework.marks.CaseBanner`` (or None) shown at the top of the page,
#: above the summary (safety: the case's active flags).
case_banners_collecting = _signals.signal("case-banners-collecting")

#: Sent with the signed-in ``Actor`` as sender and ``session`` and ``case_ids`` (the cases of
#: one page of a list); each receiver returns ``{case_id: [casework.marks.CaseMark]}`` for the
#: cases the actor may open, in a fixed number of queries (safety: active flags' kinds).
case_marks_collecting = _signals.signal("case-marks-collecting")
#: Sent with a :class:`Case` as sender and ``session`` and ``actor``; a receiver returns a list
#: of ``(name, relationship)`` pairs (str, translated str): the parents or guardians of the
#: case's person in their household whom the actor may see named (households answers), so
#: consent for a child offers them as the guardian without importing households.
guardians_asking = _signals.signal("guardians-asking")
