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

from referrals.directory.hsds.columns import COLUMNS
from referrals.directory.hsds.export import export_rows, export_zip
from referrals.directory.hsds.importer import ImportReport, import_zip

__all__ = ["COLUMNS", "ImportReport", "export_rows", "export_zip", "import_zip"]
