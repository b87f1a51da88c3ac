"""The audit log: ``record()``, the hash chain, checkpoints, the verifier, auditor pages.

Shaped like every domain package (see :mod:`casework`): ``init_app`` is the one place that
wires audit into the app.
"""

from __future__ import annotations

from flask import Flask

from audit.queries import case_access_history
from audit.services import record

__all__ = ["case_access_history", "init_app", "record"]


def init_app(app: Flask) -> None:
    """The audit receivers of the platform's signals (denials, keys, backups, outbox), the
    navigation entry, the commands."""
    from audit import backup, blueprint, commands, hooks, partition_commands, routes
    from core.signals import (
        access_denied,
        backup_checking,
        backup_facts_collecting,
        backup_preparing,
        erasure_replayed,
        master_keys_changed,
        navigation_collecting,
        outbox_administered,
        places_administered,
        rate_limited,
        status_figures_collecting,
    )

    access_denied.connect(hooks.on_access_denied, app)
    rate_limited.connect(hooks.on_rate_limited, app)
    master_keys_changed.connect(hooks.on_master_keys_changed, app)
    outbox_administered.connect(hooks.on_outbox_administered)
    places_administered.connect(hooks.on_places_administered)
    navigation_collecting.connect(routes.navigation)
    backup_preparing.connect(backup.on_backup_preparing)
    backup_facts_collecting.connect(backup.on_backup_facts)
    backup_checking.connect(backup.on_backup_checking)
    erasure_replayed.connect(backup.on_erasure_replayed)
    status_figures_collecting.connect(hooks.checkpoint_age)
    status_figures_collecting.connect(hooks.unsealed_events)
    blueprint.blueprint.cli.add_command(commands.checkpoint)
    blueprint.blueprint.cli.add_command(commands.verify)
    blueprint.blueprint.cli.add_command(partition_commands.partitions)
    blueprint.blueprint.cli.add_command(partition_commands.retention)
    app.register_blueprint(blueprint.blueprint)
