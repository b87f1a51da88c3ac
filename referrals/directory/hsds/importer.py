"""Reading a zip of HSDS CSV files: check every row of every file, then write all or nothing."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from core.lists import queries
from core.security import Actor
from referrals.directory.hsds.columns import (
    ALIASES,
    IMPORTED,
    MAX_ARCHIVE_BYTES,
    MAX_ROWS,
    REQUIRED_COLUMNS,
)
from referrals.directory.hsds.export import uncell
from referrals.directory.hsds.rows import (
    CHILD_ROWS,
    MAIN_ROWS,
    RowError,
    optional_id,
    problem_line,
    required_id,
)
from referrals.directory.models import (
    DirectoryOrganization,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTypeTerm,
)
from referrals.directory.vocabulary import SERVICE_TYPES


@dataclass
class ImportReport:
    """What an import found: problems ("file, line N: problem") or how many rows it took."""

    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Parsed:
    """Valid rows of the archive, keyed for cross-checks and the final write."""

    orgs: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    services: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    locations: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    #: file -> service id -> list of values (None: the file was not in the archive)
    children: dict[str, dict[uuid.UUID, list[Any]] | None] = field(default_factory=dict)


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
        report.errors.append(problem_line(name, 1, _("not a CSV header")))
        return
    aliases = ALIASES.get(name, {})
    header = [aliases[h] if h in aliases and aliases[h] not in header else h for h in header]
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in header]
    if missing:
        report.errors.append(
            problem_line(name, 1, _("missing column(s) %(columns)s", columns=", ".join(missing)))
        )
        return
    count = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            report.errors.append(problem_line(name, reader.line_num, _("malformed CSV")))
            return
        count += 1
        if count > MAX_ROWS:
            report.errors.append(_("%(file)s: more than %(count)d rows", file=name, count=MAX_ROWS))
            return
        if None in row:
            report.errors.append(problem_line(name, reader.line_num, _("more cells than columns")))
            continue
        yield reader.line_num, {k: uncell(v) if isinstance(v, str) else v for k, v in row.items()}


def _parse(db: Session, texts: dict[str, str], report: ImportReport) -> _Parsed:
    parsed = _Parsed()
    targets = {
        "organizations.csv": parsed.orgs,
        "services.csv": parsed.services,
        "locations.csv": parsed.locations,
    }
    for name, parse_row in MAIN_ROWS.items():
        for line, row in _rows(name, texts.get(name, ""), report) if name in texts else ():
            try:
                row_id = required_id(row, "id")
                if row_id in targets[name]:
                    raise RowError(_("id %(id)s appears twice", id=str(row_id)))
                targets[name][row_id] = parse_row(db, row) | {"_line": line}
            except RowError as exc:
                report.errors.append(problem_line(name, line, str(exc)))
    for name, parse_child in CHILD_ROWS.items():
        if name not in texts:
            parsed.children[name] = None
            continue
        per_service: dict[uuid.UUID, list[Any]] = {}
        for line, row in _rows(name, texts[name], report):
            try:
                service_id = required_id(row, "service_id")
                value = parse_child(row)
                _check_child(db, parsed, name, service_id, value)
                if value in [v for _id, v in per_service.get(service_id, [])]:
                    raise RowError(_("repeats an earlier row of the same service"))
                per_service.setdefault(service_id, []).append((optional_id(row), value))
            except RowError as exc:
                report.errors.append(problem_line(name, line, str(exc)))
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
        raise RowError(_("service_id is not a service of services.csv or of the directory"))
    if name == "service_attributes.csv" and value not in queries.known(db, SERVICE_TYPES):
        raise RowError(
            _("taxonomy_term_id %(value)r is not a term of taxonomy_terms.csv", value=value[:30])
        )
    if name == "service_at_location.csv":
        if value in parsed.locations:
            location_org = parsed.locations[value]["organization_id"]
        else:
            location_org = db.scalar(select(Location.organization_id).where(Location.id == value))
        if location_org is None:
            raise RowError(_("location_id is not a location of locations.csv or of the directory"))
        if location_org != service_org:
            raise RowError(_("the location belongs to another organisation than the service"))


def _check_parents(db: Session, parsed: _Parsed, report: ImportReport) -> None:
    for name, table in (("services.csv", parsed.services), ("locations.csv", parsed.locations)):
        for values in table.values():
            org_id = values["organization_id"]
            if org_id not in parsed.orgs and db.get(DirectoryOrganization, org_id) is None:
                problem = _(
                    "organization_id is not an organisation of organizations.csv or of the "
                    "directory"
                )
                report.errors.append(problem_line(name, values["_line"], problem))
    links: dict[uuid.UUID, int] = {}
    for values in parsed.orgs.values():
        link = values["organisation_id"]
        if link is None:
            continue
        if link in links:
            problem = _("homeward_organisation is linked on line %(line)d too", line=links[link])
            report.errors.append(problem_line("organizations.csv", values["_line"], problem))
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
