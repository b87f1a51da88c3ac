"""What a sustainability score means in words: the bands, defined once for the guide, the
score lists and tables, and the chart.

The bands are a reading aid for caseworkers, not an official threshold: IOM's calibrated
weights and cut-offs are not available here (see :mod:`casework.monitoring.scoring`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class ScoreBand:
    """Scores from ``lowest`` up to the next band's lowest (the last band includes 1)."""

    code: str
    lowest: float
    label: Any
    meaning: Any


#: From the least to the most sustainable; a score is banded as shown, to two decimals.
BANDS: tuple[ScoreBand, ...] = (
    ScoreBand(
        "fragile",
        0.0,
        _l("Fragile"),
        _l(
            "Many needs are not met. The return may not last without more support: "
            "look at this first."
        ),
    ),
    ScoreBand(
        "mixed",
        0.35,
        _l("Mixed"),
        _l("Some needs are met and others are not. Keep up the support that works."),
    ),
    ScoreBand(
        "stable",
        0.65,
        _l("Stable"),
        _l("Most needs are met. Keep following up to check that it lasts."),
    ),
)


def band_of(score: float | None) -> ScoreBand | None:
    """The band of a score from 0 to 1 (as shown, rounded to two decimals); None for none."""
    if score is None:
        return None
    shown = round(min(1.0, max(0.0, float(score))), 2)
    return [band for band in BANDS if band.lowest <= shown][-1]


def band_ranges() -> list[tuple[ScoreBand, float, float]]:
    """(band, lowest, highest shown) of each band, for the guide: 0.00-0.34, 0.35-0.64..."""
    highest = [round(b.lowest - 0.01, 2) for b in BANDS[1:]] + [1.0]
    return [(band, band.lowest, top) for band, top in zip(BANDS, highest, strict=True)]
