"""Writing reports: the CTDC export to a CSV file, audited (who, which report, which filters;
never the figures)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy.orm import Session

from audit import record
from casework.skeleton.services import fill_missing
from core.security import Actor
from core.settings_sections import ReportSettings
from reports.ctdc import COLUMNS, Export, anonymise, ctdc_row
from reports.queries import skeletons_registered


def export_ctdc(
    db: Session,
    actor: Actor | None,
    path: Path,
    settings: ReportSettings,
    start: date | None = None,
    end: date | None = None,
) -> Export:
    """Write the anonymised CTDC export of the cases registered in the period to ``path``
    (see :func:`write_ctdc`)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_ctdc(db, actor, out, settings, start, end)


def write_ctdc(
    db: Session,
    actor: Actor | None,
    out: TextIO,
    settings: ReportSettings,
    start: date | None = None,
    end: date | None = None,
    via: str | None = None,
) -> Export:
    """Write the anonymised CTDC export of the cases registered in the period to ``out``.

    Cases without a skeleton yet (registered before skeletons were kept current) get one
    first. The audit event names the report and the filters, never the figures; ``via``
    says how it left (``"download"``: the analyst's download).
    """
    fill_missing(db)
    rows = [ctdc_row(s) for s in skeletons_registered(db, start, end)]
    result = anonymise(rows, k=settings.export_min_group)
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(result.rows)
    details: dict[str, object] = {
        "report": "ctdc",
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "k": settings.export_min_group,
    }
    if via is not None:
        details["via"] = via
    record(
        db,
        "report.exported",
        actor=actor,
        object_type="report",
        object_id="ctdc",
        details=details,
    )
    return result
