"""Demo places: a few Afghan provinces and districts with Dari and Pashto names, so the
demo's registration form offers places."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from core.commands import DemoContext, DemoStep
from core.places import services

DEMO_FILE = Path(__file__).with_name("afghanistan.csv")


def load_demo(session: Session, _context: DemoContext) -> None:
    report = services.import_places(session, DEMO_FILE.read_bytes(), source="demo")
    if not report.ok:  # the file ships with the code: a problem in it is a bug
        raise RuntimeError("; ".join(report.problems))


def demo_step(_sender: object, **_extra: object) -> DemoStep:
    """Receiver of ``core.signals.demo_steps_collecting``: places before any casework."""
    return DemoStep(5, load_demo)
