"""Writing the directory as a zip of HSDS CSV files."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from auth.models import Organisation
from core.lists import queries
from core.security import Actor
from referrals.directory.hsds.columns import COLUMNS, TAXONOMY
from referrals.directory.models import DirectoryOrganization, Location, Service
from referrals.directory.vocabulary import SERVICE_TYPES


def _link_id(*parts: object) -> str:
    """A stable id for a link row the database keys by its parts (language, type)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "homeward:" + ":".join(str(p) for p in parts)))


#: A cell starting with one of these runs as a formula when the file is opened in a
#: spreadsheet (CSV injection); such cells are written with a leading apostrophe, which
#: spreadsheets show as text and the import takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def uncell(text: str) -> str:
    """The stored value of an exported cell (the apostrophe before a formula-like value)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def export_rows(db: Session) -> dict[str, list[dict[str, str]]]:
    """Every table as HSDS rows (strings), in a stable order."""
    orgs = list(db.scalars(select(DirectoryOrganization).order_by(DirectoryOrganization.id)))
    codes_by_org = {
        oid: code for oid, code in db.execute(select(Organisation.id, Organisation.code))
    }
    services = list(db.scalars(select(Service).order_by(Service.id)))
    locations = list(db.scalars(select(Location).order_by(Location.id)))
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in COLUMNS}
    for org in orgs:
        row = {c: _cell(getattr(org, c, None)) for c in COLUMNS["organizations.csv"]}
        row["homeward_organisation"] = (
            _cell(codes_by_org.get(org.organisation_id)) if org.organisation_id else ""
        )
        rows["organizations.csv"].append(row)
    for loc in locations:
        rows["locations.csv"].append({c: _cell(getattr(loc, c)) for c in COLUMNS["locations.csv"]})
    for svc in services:
        _add_service_rows(rows, svc)
    for kind in (t.code for t in queries.terms(db, SERVICE_TYPES)):
        rows["taxonomy_terms.csv"].append(
            {"id": kind, "term": kind.replace("_", " "), "taxonomy": TAXONOMY}
        )
    return rows


def _add_service_rows(rows: dict[str, list[dict[str, str]]], svc: Service) -> None:
    """The service's row and its rows in the linked tables (locations, languages, areas, types)."""
    rows["services.csv"].append({c: _cell(getattr(svc, c)) for c in COLUMNS["services.csv"]})
    for sal in sorted(svc.at_locations, key=lambda s: str(s.id)):
        rows["service_at_location.csv"].append(
            {"id": str(sal.id), "service_id": str(svc.id), "location_id": str(sal.location_id)}
        )
    for lang in svc.language_codes:
        rows["languages.csv"].append(
            {
                "id": _link_id(svc.id, "language", lang),
                "service_id": str(svc.id),
                "language": lang,
            }
        )
    for area in sorted(svc.areas, key=lambda a: str(a.id)):
        rows["service_areas.csv"].append(
            {
                "id": str(area.id),
                "service_id": str(svc.id),
                "service_area": area.service_area,
                "country": area.country,
            }
        )
    for code in svc.type_codes:
        rows["service_attributes.csv"].append(
            {
                "id": _link_id(svc.id, "type", code),
                "service_id": str(svc.id),
                "taxonomy_term_id": code,
            }
        )


def export_zip(db: Session, actor: Actor | None) -> bytes:
    """The directory as a zip of HSDS CSV files; audited as ``directory.exported``."""
    rows = export_rows(db)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, columns in COLUMNS.items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows[name])
            archive.writestr(name, text.getvalue())
    record(
        db,
        "directory.exported",
        actor=actor,
        object_type="directory",
        details={name.removesuffix(".csv"): len(r) for name, r in rows.items()},
    )
    return buffer.getvalue()
