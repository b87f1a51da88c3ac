"""Fill a Homeward database with a realistic generated population (issue 18, item 1).

    .venv/bin/python bench/generate.py --people N [--audit-events M] --database-url URL
                                       [--seed S] [--append] [--chunk 1000]

(or ``.venv/bin/python -m bench.generate ...`` from the repository root). Keys come from
``HOMEWARD_KEY_FILE`` (the settings' default when unset) and a development key file is
created there when missing. A database without tables is created (SQLite file) and migrated
to head; a database that already holds cases is refused unless ``--append``.

What is written, and how
------------------------
Every personal value goes through the app's own encryption and blind-index code. People,
documents, cases, screenings, consents, needs assessments, plans with actions and reviews,
monitoring visits, closures and referrals with their events are the project's model classes,
with encrypted attributes set as the services set them (:mod:`.cases`, :mod:`.steps`,
:mod:`.referrals`). A chunk of ``--chunk`` people (one commit each) is then written without
the unit of work, which costs more than everything else at this scale (:mod:`.rows`):

* each value is encrypted by ``core.crypto.keystore.encrypt_bytes`` under the person's data
  key, bound to its table, column and row id, and its blind-index rows are computed by
  ``core.crypto.blind_index`` (name tokens' terms remembered: names repeat); every table gets
  one multi-row ``INSERT`` (parents first), the blind index one more;
* data keys are made with the keystore's own steps (``Crypto.wrap`` of a fresh random key, put
  in the session's key cache as ``core.crypto.keystore.subject_key`` does), with no SELECT;
* case numbers and referral references are counted in memory per organisation and year, and
  ``CaseNumberCounter`` / ``ReferralReferenceCounter`` are brought up to date per chunk;
* stages are set as the workflow leaves them (identification; assessment once screened and
  assessed, with or without consent recorded; planning with a draft plan; implementation once
  the plan is approved, with or without referrals; monitoring after visits; closed after an
  approved closure, from any of those), without ``casework.stages.advance``;
* skeletons (:mod:`.skeleton`): each case's skeleton, link and detail rows are built from the
  objects just generated, as ``casework.skeleton.services.refresh_skeleton`` builds them from
  the database (``tests/bench/test_generate_skeleton.py`` runs it over a generated database
  and sees it change nothing), and inserted in bulk with the chunk. The skeleton tracker's
  flush listeners are taken off while chunks are written, and ``fill_missing`` runs at the
  end (it finds nothing to do);
* the audit events of ``--audit-events`` are appended in batches of 5,000 (:mod:`.audit`),
  hashed by ``audit.chain.event_hash`` / ``canonical_details`` as ``audit.services.record``
  does, under the chain's lock (``lock_chain``), so ``homeward audit verify`` passes.
  Generating people records no audit events of its own.

Staffing scales with the population (:func:`.tables.staffing`): several case agencies, each
with one caseworker per ~60 open cases (at least two) in teams of eight, each team with its
supervisor; a case is assigned to one of its agency's caseworkers (seeded draw), and its plan
and closure are approved by that caseworker's supervisor. Organisations and each agency's
first supervisor and caseworker go through ``auth.admin`` (audited as usual); the other
accounts (thousands at a million people) are inserted in one bulk statement per agency and
role, unaudited like the generated people. One password hash is computed and given to every
account; the places shipped with the code through
``core.places.services.import_places`` when none are imported, and the survey through
``casework.monitoring.services.current_survey`` (:mod:`.reference`). Every staff account
signs in with the password printed at the end (no second factor is set up: supervisors must
enrol one when the settings require it).

With the same ``--seed`` two runs give the same people (names, dates, stages, counts); ids,
data keys and timestamps relative to today differ.
"""

from __future__ import annotations

from .cli import Summary, generate, main
from .tables import AGENCIES, PASSWORD, PROVIDERS, STEPS, staffing, teams

__all__ = [
    "AGENCIES",
    "PASSWORD",
    "PROVIDERS",
    "STEPS",
    "Summary",
    "generate",
    "main",
    "staffing",
    "teams",
]
