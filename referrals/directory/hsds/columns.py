"""The HSDS files and columns Homeward writes and reads, and the limits of an import."""

from __future__ import annotations

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
