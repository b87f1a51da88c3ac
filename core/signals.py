"""Signals that lower layers send and upper layers (audit) listen to; the signal machinery
every layer declares its own signals with (:class:`Namespace`), and :func:`collect`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSet
from dataclasses import dataclass
from typing import Any, TypeVar

import blinker

T = TypeVar("T")


class _OrderedSet(MutableSet[Any]):
    """A set that iterates in insertion order (blinker's own set does not)."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        self._items: dict[Any, None] = dict.fromkeys(items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, value: Any) -> None:
        self._items[value] = None

    def discard(self, value: Any) -> None:
        self._items.pop(value, None)

    def copy(self) -> _OrderedSet:
        return _OrderedSet(self._items)


class Signal(blinker.NamedSignal):
    """A blinker signal whose receivers run in the order they were connected (each package's
    ``init_app`` connects them, in the order the app wires the packages)."""

    set_class = _OrderedSet  # type: ignore[assignment]


class Namespace(blinker.Namespace):
    """The signals of one layer (``core.signals``, ``audit.signals``, ``casework.signals``...)."""

    def signal(self, name: str, doc: str | None = None) -> blinker.NamedSignal:
        if name not in self:
            self[name] = Signal(name, doc)
        return self[name]


_signals = Namespace()


def send_from_app(signal: blinker.Signal, **kwargs: Any) -> None:
    """Send ``signal`` with the running application as its sender.

    Receivers connected for one application (``signal.connect(receiver, app)``) hear only
    that application's events. Services call this instead of touching ``current_app``: it is
    the one place the sender is looked up (core plumbing, like :func:`core.security.deny`).
    """
    from flask import current_app

    signal.send(current_app._get_current_object(), **kwargs)  # type: ignore[attr-defined]


def collect(signal: blinker.Signal, sender: Any, returns: type[T], **kwargs: Any) -> list[T]:
    """Send ``signal`` and return what its receivers returned, in the order they connected.

    Receivers that return None contribute nothing; any other value that is not a ``returns``
    is a programming error (TypeError).
    """
    values = [value for _receiver, value in signal.send(sender, **kwargs) if value is not None]
    for value in values:
        if not isinstance(value, returns):
            name = getattr(signal, "name", "a signal")
            raise TypeError(f"a receiver of {name} returned {type(value).__name__}")
    return values


#: Sent with ``permission`` (str or None) and ``reason`` when a request is refused with 403.
access_denied = _signals.signal("access-denied")

#: Sent with ``session`` and ``subject_id`` after a subject's data key was destroyed.
subject_erased = _signals.signal("subject-erased")

#: Sent with ``session``, ``action`` ("rotated", "rewrapped" or "retired") and ``details``
#: (versions and counts, never key material) by the ``homeward keys`` commands.
master_keys_changed = _signals.signal("master-keys-changed")

#: Sent when a request is refused with 429 (too many attempts).
rate_limited = _signals.signal("rate-limited")

#: Sent with ``None`` as sender; each receiver returns the list of ``core.extensions.NavItem``
#: its package adds to the main navigation (each shows only to the roles allowed).
navigation_collecting = _signals.signal("navigation-collecting")

#: Sent with ``None`` as sender by ``homeward demo``; each receiver returns the
#: ``core.commands.DemoStep`` (order and loader) of its package's demo data.
demo_steps_collecting = _signals.signal("demo-steps-collecting")

#: Sent with ``None`` as sender and ``session`` by ``homeward demo --if-empty``; a receiver
#: returns True when its package's demo data is already there.
demo_present_checking = _signals.signal("demo-present-checking")

#: Sent with ``None`` as sender before every request; a receiver returns the signed-in
#: :class:`core.security.Actor` (Auth: core knows no user model), or None.
actor_asking = _signals.signal("actor-asking")

#: Sent with ``None`` as sender while a request picks its language; a receiver returns the
#: signed-in user's preferred locale (Auth), or None.
preferred_locale_asking = _signals.signal("preferred-locale-asking")

#: Sent with ``None`` as sender while a request formats a date or time; a receiver returns the
#: signed-in user's time zone (their own, else their organisation's), or None (Auth).
time_zone_asking = _signals.signal("time-zone-asking")

#: Sent with ``None`` as sender while a page is rendered; a receiver returns how many seconds
#: the signed-in user's session has left (Auth), or None.
session_seconds_asking = _signals.signal("session-seconds-asking")

#: Sent with ``session`` by ``/readyz`` and ``/metrics``. Receivers return a
#: :class:`StatusFigure` (a name, a number and a help text; never personal data), such as the
#: outbox backlog or the age of the newest audit checkpoint.
status_figures_collecting = _signals.signal("status-figures-collecting")


@dataclass(frozen=True)
class StatusFigure:
    """One operational figure a package reports for readiness and metrics."""

    name: str
    value: float
    help: str


#: Sent with ``session`` and ``keys`` (the :class:`core.keys.KeyRing`) by ``homeward backup
#: create`` before the dump, in a transaction that commits: a receiver may write what the
#: backup should hold (Audit signs a checkpoint of the verified chain).
backup_preparing = _signals.signal("backup-preparing")

#: Sent with ``session`` reading the backup's own snapshot: each receiver returns a
#: :class:`BackupFacts` for the manifest (Audit: the chain's head and newest checkpoint).
#: Never key material or personal data.
backup_facts_collecting = _signals.signal("backup-facts-collecting")

#: Sent with ``session`` (a restored scratch copy), ``manifest`` (dict), ``keys`` and
#: ``sample`` (how many people to try) by ``homeward backup verify``: each receiver returns a
#: list of :class:`BackupCheck` (Audit: the chain verifies and holds the manifest's head;
#: Casework: a sample of people decrypts with the current keys).
backup_checking = _signals.signal("backup-checking")

#: Sent with ``session`` and ``subject_id`` while a restore replays the erasure journal, for a
#: subject whose data key the backup still holds: the receiver that knows the subject erases
#: it as a live erasure would (skeleton, key, plain values) and returns True (Casework: a
#: person); when none does, the data key is destroyed alone.
erasure_replaying = _signals.signal("erasure-replaying")

#: Sent with ``session``, ``subject_id`` and ``data_key_id`` after a replayed erasure destroyed
#: a data key again on a restored database (Audit records it).
erasure_replayed = _signals.signal("erasure-replayed")


@dataclass(frozen=True)
class BackupFacts:
    """A section of a backup manifest (``name`` -> JSON-able ``data``), never personal data."""

    name: str
    data: dict[str, Any]


@dataclass(frozen=True)
class BackupCheck:
    """One check ``homeward backup verify`` made on a restored copy, and what it found."""

    name: str
    ok: bool
    detail: str


#: Sent with ``None`` as sender and ``session`` and ``user_id`` by ``homeward outbox send``;
#: a receiver (Auth) returns the account's :class:`core.outbox.rendering.MailRecipient`
#: (address and language) while it may still receive e-mail, or None.
mail_recipient_asking = _signals.signal("mail-recipient-asking")

#: Sent with ``None`` as sender by ``homeward outbox send``; each receiver returns a
#: :class:`core.outbox.rendering.MailTemplates`: the template keys its package enqueues
#: and the functions that render them, at send time, in the recipient's language.
mail_templates_collecting = _signals.signal("mail-templates-collecting")

#: Sent with ``None`` as sender and ``session``, ``template``, ``params``, ``outcome``
#: ("sent", "dead" or "discarded") and ``error`` (an exception class name or a reason code)
#: when an outbox message is settled, in the transaction that records it.
outbox_message_settled = _signals.signal("outbox-message-settled")

#: Sent with ``None`` as sender and ``session``, ``action`` ("viewed", "retried",
#: "discarded"), ``message_id`` and ``template`` (or None) by the administrator's outbox page
#: (audit records it).
outbox_administered = _signals.signal("outbox-administered")

#: Sent with ``None`` as sender and ``session``, ``action`` ("imported", "viewed"),
#: ``outcome`` ("ok", "failed") and ``details`` (counts and the source: never names)
#: by :mod:`core.places` (audit records it).
places_administered = _signals.signal("places-administered")
