"""Administrator pages of the directory: organizations, locations, services, CSV import/export."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from audit import record
from core.clock import utcnow
from core.db import get_session, keep_changes_on_error
from core.exceptions import EditConflict
from core.forms import field_error
from core.i18n.names import country_name
from core.permissions import Permission
from core.security import require, require_actor
from referrals.directory import forms, hsds, manage
from referrals.directory.manage import DirectoryError
from referrals.directory.models import DirectoryOrganization, Location, Service

#: What a saved form's conflict table calls the stored link to a Homeward organisation.
_CONFLICT_KEYS = {"organisation_id": "link"}


def _loaded_version(form: Any) -> int:
    try:
        return int(form.version.data or "")
    except ValueError:
        return -1


def _edit(
    form: Any,
    template: str,
    context: dict[str, Any],
    fill: Callable[[], int | None],
    save: Callable[[int], tuple[Any, list[str]]],
    done: Callable[[Any], str],
) -> ResponseReturnValue:
    """One create-or-edit page: ``fill`` loads the form (returning the stored version, None
    when creating); ``save`` stores it against the version the form was loaded at."""
    if not form.is_submitted():
        version = fill()
        form.version.data = "" if version is None else str(version)
    elif form.validate():
        try:
            saved, changed = save(_loaded_version(form))
        except EditConflict as exc:
            form.version.data = str(exc.version)
            current = {_CONFLICT_KEYS.get(k, k): v for k, v in exc.current.items()}
            return render_template(template, form=form, conflict=current, **context), 409
        except DirectoryError as exc:
            field_error(form, exc)
        else:
            flash(_("Saved.") if changed else _("Nothing changed."), "success")
            return redirect(done(saved))
    status = 400 if form.is_submitted() else 200
    return render_template(template, form=form, conflict=None, **context), status


def _get(model: type[Any], object_id: uuid.UUID) -> Any:
    found = get_session().get(model, object_id)
    if found is None:
        abort(404)
    return found


@require(Permission.DIRECTORY_MANAGE)
def manage_index() -> ResponseReturnValue:
    db = get_session()
    organizations = db.scalars(
        select(DirectoryOrganization).order_by(DirectoryOrganization.name)
    ).all()
    return render_template(
        "directory/manage.html", organizations=organizations, import_form=forms.ImportForm()
    )


def _organization_form() -> forms.OrganizationForm:
    form = forms.OrganizationForm()
    form.link.choices = [("", _("Not linked: listed only"))] + [
        (str(o.id), f"{o.name} ({o.country})") for o in manage.provider_organisations(get_session())
    ]
    return form


def _organization_page(org: DirectoryOrganization) -> str:
    return url_for("directory.edit_organization", organization_id=org.id)


@require(Permission.DIRECTORY_MANAGE)
def new_organization() -> ResponseReturnValue:
    form = _organization_form()

    def save(_version: int) -> tuple[Any, list[str]]:
        details = forms.organization_details(form)
        return manage.save_organization(get_session(), require_actor(), details)

    return _edit(
        form,
        "directory/organization_form.html",
        {"org": None},
        lambda: None,
        save,
        _organization_page,
    )


@require(Permission.DIRECTORY_MANAGE)
def edit_organization(organization_id: uuid.UUID) -> ResponseReturnValue:
    org = _get(DirectoryOrganization, organization_id)
    form = _organization_form()

    def fill() -> int:
        forms.fill_organization(form, org)
        return int(org.version)

    def save(version: int) -> tuple[Any, list[str]]:
        details = forms.organization_details(form)
        return manage.save_organization(get_session(), require_actor(), details, org, version)

    return _edit(
        form, "directory/organization_form.html", {"org": org}, fill, save, _organization_page
    )


@require(Permission.DIRECTORY_MANAGE)
def new_location(organization_id: uuid.UUID) -> ResponseReturnValue:
    org = _get(DirectoryOrganization, organization_id)
    form = forms.LocationForm()

    def fill() -> None:
        form.country.data = org.country

    def save(_version: int) -> tuple[Any, list[str]]:
        details = forms.location_details(form)
        return manage.save_location(get_session(), require_actor(), org, details)

    return _edit(
        form,
        "directory/location_form.html",
        {"org": org, "location": None},
        fill,
        save,
        lambda _loc: _organization_page(org),
    )


@require(Permission.DIRECTORY_MANAGE)
def edit_location(location_id: uuid.UUID) -> ResponseReturnValue:
    location = _get(Location, location_id)
    org = location.organization
    form = forms.LocationForm()

    def fill() -> int:
        form.process(obj=location)
        return int(location.version)

    def save(version: int) -> tuple[Any, list[str]]:
        details = forms.location_details(form)
        return manage.save_location(get_session(), require_actor(), org, details, location, version)

    return _edit(
        form,
        "directory/location_form.html",
        {"org": org, "location": location},
        fill,
        save,
        lambda _loc: _organization_page(org),
    )


def _service_form(org: DirectoryOrganization, service: Service | None = None) -> forms.ServiceForm:
    """The service form; the kinds ``service`` has stay offered even when retired."""
    db = get_session()
    form = forms.ServiceForm(data={"types": service.type_codes if service else []})
    form.organization_id.choices = [
        (str(o.id), o.name)
        for o in db.scalars(select(DirectoryOrganization).order_by(DirectoryOrganization.name))
    ]
    form.location_ids.choices = [
        (str(loc.id), ", ".join(p for p in (loc.name, loc.city, country_name(loc.country)) if p))
        for loc in org.locations
    ]
    return form


def _service_page(service: Service) -> str:
    return url_for("directory.service", service_id=service.id)


@require(Permission.DIRECTORY_MANAGE)
def new_service(organization_id: uuid.UUID) -> ResponseReturnValue:
    org = _get(DirectoryOrganization, organization_id)
    form = _service_form(org)

    def fill() -> None:
        form.organization_id.data = str(org.id)

    def save(_version: int) -> tuple[Any, list[str]]:
        details = forms.service_details(form)
        return manage.save_service(get_session(), require_actor(), details)

    return _edit(
        form,
        "directory/service_form.html",
        {"org": org, "service": None},
        fill,
        save,
        _service_page,
    )


@require(Permission.DIRECTORY_MANAGE)
def edit_service(service_id: uuid.UUID) -> ResponseReturnValue:
    service = _get(Service, service_id)
    org = service.organization
    form = _service_form(org, service)

    def fill() -> int:
        forms.fill_service(form, service)
        return int(service.version)

    def save(version: int) -> tuple[Any, list[str]]:
        details = forms.service_details(form)
        return manage.save_service(get_session(), require_actor(), details, service, version)

    return _edit(
        form,
        "directory/service_form.html",
        {"org": org, "service": service},
        fill,
        save,
        _service_page,
    )


@require(Permission.DIRECTORY_MANAGE)
def export() -> ResponseReturnValue:
    data = hsds.export_zip(get_session(), require_actor())
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="homeward-directory-{stamp}.zip"'},
    )


@require(Permission.DIRECTORY_MANAGE)
def import_archive() -> ResponseReturnValue:
    db = get_session()
    form = forms.ImportForm()
    report = None
    status = 200
    if form.is_submitted() and not form.validate():
        status = 400
    elif form.is_submitted():
        report = hsds.import_zip(db, require_actor(), form.archive.data.read(), form.dry_run.data)
        if not report.ok:
            keep_changes_on_error()  # the refusal is audited; the import itself wrote nothing
            record(
                db,
                "directory.imported",
                object_type="directory",
                outcome="failed",
                details={"errors": len(report.errors)},
            )
            status = 400
        elif report.applied:
            flash(_("The directory files were imported."), "success")
            return redirect(url_for("directory.manage_index"))
    return render_template("directory/import.html", form=form, report=report), status
