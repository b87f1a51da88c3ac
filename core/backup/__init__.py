"""Backups that restore: ``homeward backup create | verify | restore``.

:mod:`core.backup.dumps` dumps and loads a database (``pg_dump`` custom format on PostgreSQL,
the online backup API on SQLite), :mod:`core.backup.archive` writes and checks the archive
and its manifest, :mod:`core.backup.services` does the three jobs, and
:mod:`core.backup.commands` is their command line. What only the domains know (the audit
chain's head, whether people decrypt, erasing a person again) is asked through signals in
:mod:`core.signals`.
"""
