"""Reading places: the picker's groups, a place's label, its province, the figures."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from core.i18n.names import sort_key
from core.memo import remembered
from core.places.models import Level, Place

#: A picker's groups: (group label, [(P-code, label)]), in display order.
Groups = list[tuple[str, list[tuple[str, str]]]]


def _all(session: Session) -> list[Place]:
    return list(session.scalars(select(Place)))


def option_groups(session: Session, language: str | None) -> Groups:
    """Every place, grouped for a <select>: a group per country (the country itself, then its
    provinces) and a group per province (its districts), sorted by name in ``language``.
    Read once a request per language until the request writes (:func:`core.memo.remembered`:
    a form with two place fields, rendered or validated, read the table four times); each
    caller gets its own lists."""
    kept = remembered(session, ("place_groups", language), lambda: _grouped(session, language))
    return [(group, list(options)) for group, options in kept]


def _grouped(session: Session, language: str | None) -> Groups:
    places = _all(session)
    children: dict[uuid.UUID | None, list[Place]] = {}
    for place in places:
        children.setdefault(place.parent_id, []).append(place)

    def ordered(items: Iterable[Place]) -> list[Place]:
        return sorted(items, key=lambda p: (sort_key(p.label(language)), p.pcode))

    groups: Groups = []
    for country in ordered(p for p in children.get(None, []) if p.level == Level.COUNTRY):
        country_label = country.label(language)
        provinces = ordered(children.get(country.id, []))
        groups.append(
            (
                country_label,
                [(country.pcode, country_label)]
                + [(p.pcode, f"{p.label(language)} ({country_label})") for p in provinces],
            )
        )
        for province in provinces:
            districts = ordered(children.get(province.id, []))
            if not districts:
                continue
            province_label = f"{province.label(language)} ({country_label})"
            groups.append(
                (
                    province_label,
                    [
                        (d.pcode, f"{d.label(language)}, {province.label(language)}")
                        for d in districts
                    ],
                )
            )
    return groups


def known_codes(session: Session, codes: Iterable[str]) -> set[str]:
    wanted = [c for c in codes if c]
    if not wanted:
        return set()
    return set(session.scalars(select(Place.pcode).where(Place.pcode.in_(wanted))))


def _chain_statement() -> Select[Place, Place, Place]:
    parent, grandparent = aliased(Place), aliased(Place)
    return (
        select(Place, parent, grandparent)
        .outerjoin(parent, parent.id == Place.parent_id)
        .outerjoin(grandparent, grandparent.id == parent.parent_id)
        .where(Place.pcode == bindparam("pcode"))
    )


#: :func:`chain`'s query, built once: making its two aliases and joins anew was most of the
#: cost of a place's name on the case page (the database answers it from the pcode index).
_CHAIN = _chain_statement()


def chain(session: Session, pcode: str | None) -> list[Place]:
    """The place of ``pcode`` and its parents (at most three levels), the place first; empty
    when unknown. One query: the place joined to its parent and grandparent."""
    if not pcode:
        return []
    row = session.execute(_CHAIN, {"pcode": pcode}).first()
    return [] if row is None else [p for p in row if p is not None]


def label(session: Session, pcode: str | None, language: str | None) -> str:
    """``District, Province, Country`` in ``language``; an unknown code as it is."""
    if not pcode:
        return ""
    places = chain(session, pcode)
    if not places:
        return pcode
    return ", ".join(p.label(language) for p in places)


def labels(session: Session, pcodes: Iterable[str], language: str | None) -> dict[str, str]:
    """``{P-code: label}`` as :func:`label` gives it, for many places at once (a query per
    level); a code no place has is its own label."""
    wanted = {c for c in pcodes if c}
    found = {p.pcode: p for p in session.scalars(select(Place).where(Place.pcode.in_(wanted)))}
    by_id = {p.id: p for p in found.values()}
    for _level in range(2):  # the parents of districts and provinces
        missing = {p.parent_id for p in by_id.values() if p.parent_id and p.parent_id not in by_id}
        if not missing:
            break
        by_id |= {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(missing)))}
    result: dict[str, str] = {}
    for code in wanted:
        place = found.get(code)
        names: list[str] = []
        while place is not None and len(names) < 3:
            names.append(place.label(language))
            place = by_id.get(place.parent_id) if place.parent_id else None
        result[code] = ", ".join(names) or code
    return result


def province_of(session: Session, pcode: str | None) -> str | None:
    """The P-code of the province ``pcode`` is (or is in); None for a country or unknown."""
    for place in chain(session, pcode):
        if place.level == Level.PROVINCE:
            return place.pcode
    return None


def country_of(session: Session, pcode: str | None) -> Place | None:
    for place in chain(session, pcode):
        if place.level == Level.COUNTRY:
            return place
    return None


@dataclass(frozen=True)
class ProvinceRow:
    pcode: str
    name: str
    districts: int


@dataclass(frozen=True)
class CountryRow:
    pcode: str
    name: str
    country_code: str | None
    provinces: list[ProvinceRow]

    @property
    def districts(self) -> int:
        return sum(p.districts for p in self.provinces)


def overview(session: Session, language: str | None) -> list[CountryRow]:
    """Per country its provinces, and per province how many districts: the admin page."""
    district = aliased(Place)
    counts = dict(
        session.execute(
            select(district.parent_id, func.count(district.id))
            .where(district.level == Level.DISTRICT)
            .group_by(district.parent_id)
        ).all()
    )
    places = _all(session)
    by_parent: dict[uuid.UUID | None, list[Place]] = {}
    for place in places:
        by_parent.setdefault(place.parent_id, []).append(place)
    rows = []
    for country in sorted(
        (p for p in places if p.level == Level.COUNTRY), key=lambda p: sort_key(p.label(language))
    ):
        provinces = [
            ProvinceRow(p.pcode, p.label(language), int(counts.get(p.id, 0)))
            for p in sorted(
                by_parent.get(country.id, []), key=lambda p: sort_key(p.label(language))
            )
        ]
        rows.append(
            CountryRow(country.pcode, country.label(language), country.country_code, provinces)
        )
    return rows


def any_places(session: Session) -> bool:
    return session.scalar(select(Place.id).limit(1)) is not None
