"""HSDS CSV exchange: export the directory as a zip of CSV files, import such a zip.

Column names follow Open Referral HSDS (2.0, with 3.0 names where 2.0 had none); Homeward adds
``country`` (organizations, service areas), ``capacity``, ``phone`` and ``contact_name``
(services) and ``homeward_organisation`` (the code of a linked provider organisation).
Service types are HSDS taxonomy terms of the ``homeward`` vocabulary, linked in
``service_attributes.csv``.

An import validates every row of every file first and changes nothing unless all of them are
valid; ids that exist are updated (upsert). For each service named in a file, that file's rows
are the service's whole list of languages, areas, types or locations.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from auth.models import Organisation
from core.security import Actor
from referrals.directory import codes
from referrals.directory.models import (
    DirectoryOrganization,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTypeTerm,
)
from referrals.directory.vocabulary import ServiceKind, ServiceStatus

TAXONOMY = "homeward"
COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations.csv": (
        "id",
        "name",
        "alternate_name",
        "description",
        "email",
        "url",
        "phone",
        "country",
        "homeward_organisation",
    ),
    "services.csv": (
        "id",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "phone",
        "contact_name",
        "status",
        "eligibility_description",
        "application_process",
        "fees_description",
        "capacity",
    ),
    "locations.csv": (
        "id",
        "organization_id",
        "name",
        "address_1",
        "city",
        "region",
        "postal_code",
        "country",
        "latitude",
        "longitude",
    ),
    "service_at_location.csv": ("id", "service_id", "location_id"),
    "languages.csv": ("id", "service_id", "language"),
    "service_areas.csv": ("id", "service_id", "service_area", "country"),
    "service_attributes.csv": ("id", "service_id", "taxonomy_term_id"),
    "taxonomy_terms.csv": ("id", "term", "taxonomy"),
}
#: Files an import reads, in the order they are checked; taxonomy_terms.csv is informative.
IMPORTED = tuple(name for name in COLUMNS if name != "taxonomy_terms.csv")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations.csv": ("id", "name", "country"),
    "services.csv": ("id", "organization_id", "name", "status"),
    "locations.csv": ("id", "organization_id", "name", "country"),
    "service_at_location.csv": ("service_id", "location_id"),
    "languages.csv": ("service_id", "language"),
    "service_areas.csv": ("service_id", "service_area", "country"),
    "service_attributes.csv": ("service_id", "taxonomy_term_id"),
}
#: Column names of other HSDS versions an import accepts for Homeward's (3.0 ``website`` and
#: language ``code``, 2.0 physical address ``state_province``).
ALIASES: dict[str, dict[str, str]] = {
    "organizations.csv": {"website": "url"},
    "languages.csv": {"code": "language"},
    "locations.csv": {"state_province": "region"},
}
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_TEXT = 5000


# --- export -------------------------------------------------------------------------------


def _link_id(*parts: object) -> str:
    """A stable id for a link row the database keys by its parts (language, type)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "homeward:" + ":".join(str(p) for p in parts)))


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def export_rows(db: Session) -> dict[str, list[dict[str, str]]]:
    """Every table as HSDS rows (strings), in a stable order."""
    orgs = list(db.scalars(select(DirectoryOrganization).order_by(DirectoryOrganization.id)))
    codes_by_org = dict(db.execute(select(Organisation.id, Organisation.code)).tuples().all())
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
    for kind in ServiceKind:
        rows["taxonomy_terms.csv"].append(
            {"id": kind.value, "term": kind.value.replace("_", " "), "taxonomy": TAXONOMY}
        )
    return rows


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


# --- import -------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import found: problems ("file, line N: problem") or how many rows it took."""

    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _line(file: str, line: int, problem: str) -> str:
    return str(_("%(file)s, line %(line)d: %(problem)s", file=file, line=line, problem=problem))


class _RowError(Exception):
    pass


@dataclass
class _Parsed:
    """Valid rows of the archive, keyed for cross-checks and the final write."""

    orgs: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    services: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    locations: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    #: file -> service id -> list of values (None: the file was not in the archive)
    children: dict[str, dict[uuid.UUID, list[Any]] | None] = field(default_factory=dict)


def _text(row: dict[str, str], name: str, required: bool = False, limit: int = 200) -> str | None:
    value = (row.get(name) or "").strip()
    if not value:
        if required:
            raise _RowError(_("%(column)s is empty", column=name))
        return None
    if len(value) > limit:
        raise _RowError(
            _("%(column)s is longer than %(limit)d characters", column=name, limit=limit)
        )
    if "\x00" in value:
        raise _RowError(_("%(column)s holds a NUL character", column=name))
    return value


def _uuid(row: dict[str, str], name: str) -> uuid.UUID:
    try:
        return uuid.UUID((row.get(name) or "").strip())
    except ValueError:
        raise _RowError(_("%(column)s is not a UUID", column=name)) from None


def _country(row: dict[str, str], name: str = "country") -> str:
    value = (row.get(name) or "").strip().upper()
    if not codes.is_country(value):
        raise _RowError(
            _(
                "%(column)s %(value)r is not an ISO 3166-1 alpha-2 code",
                column=name,
                value=value[:10],
            )
        )
    return value


def _email(row: dict[str, str]) -> str | None:
    value = _text(row, "email", limit=254)
    if value and (value.count("@") != 1 or " " in value or "." not in value.split("@")[1]):
        raise _RowError(_("email is not an e-mail address"))
    return value


def _url(row: dict[str, str]) -> str | None:
    value = _text(row, "url", limit=500)
    if value and not value.lower().startswith(("http://", "https://")):
        raise _RowError(_("url does not start with http:// or https://"))
    return value


def _number(row: dict[str, str], name: str, low: float, high: float) -> float | None:
    value = (row.get(name) or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise _RowError(_("%(column)s is not a number", column=name)) from None
    if not low <= number <= high:
        raise _RowError(
            _(
                "%(column)s is outside %(low)s to %(high)s",
                column=name,
                low=f"{low:g}",
                high=f"{high:g}",
            )
        )
    return number


def _org_row(db: Session, row: dict[str, str]) -> dict[str, Any]:
    link = _text(row, "homeward_organisation", limit=12)
    organisation_id = None
    if link:
        org = db.scalar(select(Organisation).where(Organisation.code == link.upper()))
        if org is None or not org.is_provider:
            raise _RowError(_("homeward_organisation is not the code of a provider organisation"))
        organisation_id = org.id
    return {
        "name": _text(row, "name", required=True),
        "alternate_name": _text(row, "alternate_name"),
        "description": _text(row, "description", limit=MAX_TEXT),
        "email": _email(row),
        "url": _url(row),
        "phone": _text(row, "phone", limit=50),
        "country": _country(row),
        "organisation_id": organisation_id,
    }


def _service_row(db: Session, row: dict[str, str]) -> dict[str, Any]:
    status = (row.get("status") or "").strip().lower()
    if status not in {s.value for s in ServiceStatus}:
        raise _RowError(
            _("status must be one of %(values)s", values=", ".join(s.value for s in ServiceStatus))
        )
    capacity_text = (row.get("capacity") or "").strip()
    capacity = None
    if capacity_text:
        if not capacity_text.isdigit() or int(capacity_text) > 100000:
            raise _RowError(_("capacity is not a whole number from 0 to 100000"))
        capacity = int(capacity_text)
    return {
        "organization_id": _uuid(row, "organization_id"),
        "name": _text(row, "name", required=True),
        "alternate_name": _text(row, "alternate_name"),
        "description": _text(row, "description", limit=MAX_TEXT),
        "url": _url(row),
        "email": _email(row),
        "phone": _text(row, "phone", limit=50),
        "contact_name": _text(row, "contact_name"),
        "status": status,
        "eligibility_description": _text(row, "eligibility_description", limit=MAX_TEXT),
        "application_process": _text(row, "application_process", limit=MAX_TEXT),
        "fees_description": _text(row, "fees_description", limit=MAX_TEXT),
        "capacity": capacity,
    }


def _location_row(db: Session, row: dict[str, str]) -> dict[str, Any]:
    return {
        "organization_id": _uuid(row, "organization_id"),
        "name": _text(row, "name", required=True),
        "address_1": _text(row, "address_1"),
        "city": _text(row, "city", limit=100),
        "region": _text(row, "region", limit=100),
        "postal_code": _text(row, "postal_code", limit=20),
        "country": _country(row),
        "latitude": _number(row, "latitude", -90, 90),
        "longitude": _number(row, "longitude", -180, 180),
    }


def _language(row: dict[str, str]) -> str:
    value = (row.get("language") or "").strip().lower()
    if not codes.is_language(value):
        raise _RowError(_("language %(value)r is not an ISO 639 code", value=value[:10]))
    return value


def _area(row: dict[str, str]) -> tuple[str, str]:
    return (_text(row, "service_area", required=True) or "", _country(row))


def _term(row: dict[str, str]) -> str:
    value = (row.get("taxonomy_term_id") or "").strip().lower()
    if value not in {k.value for k in ServiceKind}:
        raise _RowError(
            _("taxonomy_term_id %(value)r is not a term of taxonomy_terms.csv", value=value[:30])
        )
    return value


def _optional_id(row: dict[str, str]) -> uuid.UUID | None:
    try:
        return uuid.UUID((row.get("id") or "").strip())
    except ValueError:
        return None


def _location_id(row: dict[str, str]) -> uuid.UUID:
    return _uuid(row, "location_id")


MAIN: dict[str, Callable[[Session, dict[str, str]], dict[str, Any]]] = {
    "organizations.csv": _org_row,
    "services.csv": _service_row,
    "locations.csv": _location_row,
}
CHILD: dict[str, Callable[[dict[str, str]], Any]] = {
    "service_at_location.csv": _location_id,
    "languages.csv": _language,
    "service_areas.csv": _area,
    "service_attributes.csv": _term,
}


def _read_archive(data: bytes, report: ImportReport) -> dict[str, str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        report.errors.append(_("archive: not a zip file"))
        return {}
    texts: dict[str, str] = {}
    with archive:
        members = {info.filename.rsplit("/", 1)[-1]: info for info in archive.infolist()}
        if sum(info.file_size for info in members.values()) > MAX_ARCHIVE_BYTES:
            report.errors.append(_("archive: the files are larger than 50 MB unpacked"))
            return {}
        for name in IMPORTED:
            if name not in members:
                continue
            try:
                texts[name] = archive.read(members[name]).decode("utf-8-sig")
            except UnicodeDecodeError:
                report.errors.append(_("%(file)s: not UTF-8 text", file=name))
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
                report.errors.append(_("%(file)s: cannot be unpacked", file=name))
    for name in ("organizations.csv", "services.csv"):
        if name not in texts and not any(e.startswith(name) for e in report.errors):
            report.errors.append(_("%(file)s: missing from the archive", file=name))
    return texts


def _rows(name: str, text: str, report: ImportReport) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
    except csv.Error:
        report.errors.append(_line(name, 1, _("not a CSV header")))
        return
    aliases = ALIASES.get(name, {})
    header = [aliases[h] if h in aliases and aliases[h] not in header else h for h in header]
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in header]
    if missing:
        report.errors.append(
            _line(name, 1, _("missing column(s) %(columns)s", columns=", ".join(missing)))
        )
        return
    count = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            report.errors.append(_line(name, reader.line_num, _("malformed CSV")))
            return
        count += 1
        if count > MAX_ROWS:
            report.errors.append(_("%(file)s: more than %(count)d rows", file=name, count=MAX_ROWS))
            return
        if None in row:
            report.errors.append(_line(name, reader.line_num, _("more cells than columns")))
            continue
        yield reader.line_num, row


def _parse(db: Session, texts: dict[str, str], report: ImportReport) -> _Parsed:
    parsed = _Parsed()
    targets = {
        "organizations.csv": parsed.orgs,
        "services.csv": parsed.services,
        "locations.csv": parsed.locations,
    }
    for name, parse_row in MAIN.items():
        for line, row in _rows(name, texts.get(name, ""), report) if name in texts else ():
            try:
                row_id = _uuid(row, "id")
                if row_id in targets[name]:
                    raise _RowError(_("id %(id)s appears twice", id=str(row_id)))
                targets[name][row_id] = parse_row(db, row) | {"_line": line}
            except _RowError as exc:
                report.errors.append(_line(name, line, str(exc)))
    for name, parse_child in CHILD.items():
        if name not in texts:
            parsed.children[name] = None
            continue
        per_service: dict[uuid.UUID, list[Any]] = {}
        for line, row in _rows(name, texts[name], report):
            try:
                service_id = _uuid(row, "service_id")
                value = parse_child(row)
                _check_child(db, parsed, name, service_id, value)
                if value in [v for _id, v in per_service.get(service_id, [])]:
                    raise _RowError(_("repeats an earlier row of the same service"))
                per_service.setdefault(service_id, []).append((_optional_id(row), value))
            except _RowError as exc:
                report.errors.append(_line(name, line, str(exc)))
        parsed.children[name] = per_service
    _check_parents(db, parsed, report)
    return parsed


def _org_of_service(db: Session, parsed: _Parsed, service_id: uuid.UUID) -> uuid.UUID | None:
    if service_id in parsed.services:
        org_id: uuid.UUID = parsed.services[service_id]["organization_id"]
        return org_id
    return db.scalar(select(Service.organization_id).where(Service.id == service_id))


def _check_child(
    db: Session, parsed: _Parsed, name: str, service_id: uuid.UUID, value: Any
) -> None:
    service_org = _org_of_service(db, parsed, service_id)
    if service_org is None:
        raise _RowError(_("service_id is not a service of services.csv or of the directory"))
    if name == "service_at_location.csv":
        if value in parsed.locations:
            location_org = parsed.locations[value]["organization_id"]
        else:
            location_org = db.scalar(select(Location.organization_id).where(Location.id == value))
        if location_org is None:
            raise _RowError(_("location_id is not a location of locations.csv or of the directory"))
        if location_org != service_org:
            raise _RowError(_("the location belongs to another organization than the service"))


def _check_parents(db: Session, parsed: _Parsed, report: ImportReport) -> None:
    for name, table in (("services.csv", parsed.services), ("locations.csv", parsed.locations)):
        for values in table.values():
            org_id = values["organization_id"]
            if org_id not in parsed.orgs and db.get(DirectoryOrganization, org_id) is None:
                problem = _(
                    "organization_id is not an organization of organizations.csv or of the "
                    "directory"
                )
                report.errors.append(_line(name, values["_line"], problem))
    links: dict[uuid.UUID, int] = {}
    for values in parsed.orgs.values():
        link = values["organisation_id"]
        if link is None:
            continue
        if link in links:
            problem = _("homeward_organisation is linked on line %(line)d too", line=links[link])
            report.errors.append(_line("organizations.csv", values["_line"], problem))
        links[link] = values["_line"]


def _upsert(db: Session, model: type[Any], rows: dict[uuid.UUID, dict[str, Any]]) -> None:
    for row_id, values in rows.items():
        obj = db.get(model, row_id)
        if obj is None:
            obj = model(id=row_id)
            db.add(obj)
        for key, value in values.items():
            if key != "_line" and getattr(obj, key) != value:
                setattr(obj, key, value)
    db.flush()


def _apply(db: Session, parsed: _Parsed) -> None:
    # Links to Homeward organisations are unique: clear the ones that move before setting them.
    for row_id, values in parsed.orgs.items():
        if values["organisation_id"] is None:
            continue
        holder = db.scalar(
            select(DirectoryOrganization).where(
                DirectoryOrganization.organisation_id == values["organisation_id"]
            )
        )
        if holder is not None and holder.id != row_id:
            holder.organisation_id = None
    db.flush()
    _upsert(db, DirectoryOrganization, parsed.orgs)
    _upsert(db, Location, parsed.locations)
    _upsert(db, Service, parsed.services)
    for name, per_service in parsed.children.items():
        if per_service is None:
            continue
        for service_id in sorted(set(per_service) | set(parsed.services)):
            service = db.get(Service, service_id)
            assert service is not None
            attribute = CHILD_ATTRIBUTE[name]
            setattr(service, attribute, [])
            db.flush()
            setattr(
                service, attribute, [_child(db, name, *v) for v in per_service.get(service_id, [])]
            )
        db.flush()


CHILD_ATTRIBUTE = {
    "service_at_location.csv": "at_locations",
    "languages.csv": "languages",
    "service_areas.csv": "areas",
    "service_attributes.csv": "types",
}


def _child(db: Session, name: str, row_id: uuid.UUID | None, value: Any) -> Any:
    """A new link row; it keeps the file's id unless another row already has that id."""
    if name == "languages.csv":
        return ServiceLanguage(language=value)
    if name == "service_attributes.csv":
        return ServiceTypeTerm(code=value)
    model: type[Any] = ServiceAtLocation if name == "service_at_location.csv" else ServiceArea
    if row_id is None or db.get(model, row_id) is not None:
        row_id = uuid.uuid4()
    if model is ServiceAtLocation:
        return ServiceAtLocation(id=row_id, location_id=value)
    return ServiceArea(id=row_id, service_area=value[0], country=value[1])


def import_zip(
    db: Session, actor: Actor | None, data: bytes, dry_run: bool = False
) -> ImportReport:
    """Validate every row of the archive; unless ``dry_run`` or any error, write it all."""
    report = ImportReport()
    texts = _read_archive(data, report)
    parsed = _parse(db, texts, report) if texts else _Parsed()
    report.counts = {
        "organizations": len(parsed.orgs),
        "services": len(parsed.services),
        "locations": len(parsed.locations),
    }
    for name, per_service in parsed.children.items():
        key = name.removesuffix(".csv")
        report.counts[key] = sum(len(v) for v in (per_service or {}).values())
    if report.errors or dry_run:
        return report
    _apply(db, parsed)
    report.applied = True
    record(db, "directory.imported", actor=actor, object_type="directory", details=report.counts)
    return report
