"""``homeward referrals figures``: the per-provider figures on the command line, then the
cases and referrals per province of return or identification (counts under 5 as "<5")."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from audit import record
from core.config import current_settings
from core.db import current_db
from referrals import figures
from referrals.vocabulary import ReferralState


@click.command("figures")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--by-service", is_flag=True, help="One row per service of each provider.")
@with_appcontext
def figures_command(date_from: object, date_to: object, by_service: bool) -> None:
    """Print the per-provider figures of the referrals sent in the period (all organisations)."""
    start = date_from.date() if date_from is not None else None  # type: ignore[attr-defined]
    end = date_to.date() if date_to is not None else None  # type: ignore[attr-defined]
    if start and end and start > end:
        raise click.BadParameter("--to comes before --from")
    if any(day is not None and not 2000 <= day.year <= 2100 for day in (start, end)):
        raise click.BadParameter("dates must fall between the years 2000 and 2100")
    with current_db().session_scope() as db:
        period = figures.Period(start, end)
        table = figures.provider_figures(db, period, by_service=by_service)
        areas = figures.area_figures(db, period)
        record(
            db,
            "referral_figures.viewed",
            object_type="referral",
            details={
                "providers": len(table),
                "referrals": sum(f.total for f in table),
                "scope": "all",
                "source": "cli",
                "by_service": by_service,
            },
        )
    states = [s.value for s in ReferralState]
    header = ["provider", *(["service"] if by_service else []), "total", *states]
    header += ["acceptance", "median_hours", "completion"]
    click.echo("\t".join(header))
    for f in table:
        click.echo(
            "\t".join(
                [
                    f.name,
                    *([f.service or ""] if by_service else []),
                    str(f.total),
                    *(str(f.counts[s]) for s in states),
                    figures.percent(f.acceptance_rate),
                    figures.hours(f.median_hours_to_answer),
                    figures.percent(f.completion_rate),
                ]
            )
        )
    if not table:
        click.echo("no referrals in this period")
    _echo_areas(areas, current_settings().reports.small_cell_threshold)


def _echo_areas(areas: list[figures.AreaFigures], threshold: int) -> None:
    """The per-province counts, after the providers' table."""
    click.echo("")
    click.echo("\t".join(["province_pcode", "province", "cases", "referrals"]))
    for a in areas:
        click.echo(
            "\t".join(
                [
                    a.pcode or "-",
                    a.name if a.pcode else "not recorded",
                    figures.count_text(a.cases, threshold),
                    figures.count_text(a.referrals, threshold),
                ]
            )
        )
