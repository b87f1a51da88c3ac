"""Importing places: all or nothing, re-import updates, the command's exit status, audit."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from audit.models import AuditEvent
from core.places import queries, services
from core.places.models import Place
from tests.core.places.helpers import FIXTURE, GOOD, HEADER, csv_of, import_good


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Place))


def _audits(db) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "places.imported")
            .order_by(AuditEvent.seq)
        )
    )


def test_a_good_file_makes_the_hierarchy(app, db_session, request_ctx):
    report = import_good(db_session)
    assert report.counts == {
        "country": 2,
        "province": 3,
        "district": 3,
        "new": 8,
        "updated": 0,
        "unchanged": 0,
    }
    injil = db_session.scalar(select(Place).where(Place.pcode == "AF3002"))
    assert (injil.level, injil.name, injil.names) == (2, "Injil", {"ps": "انجیل"})
    assert queries.label(db_session, "AF3002", "ps") == "انجیل, Herat, Afghanistan"
    assert queries.label(db_session, "AF3002", "fa_AF") == "Injil, هرات, Afghanistan"
    assert queries.label(db_session, "AF3002", "en") == "Injil, Herat, Afghanistan"
    assert queries.province_of(db_session, "AF3002") == "AF30"
    assert queries.province_of(db_session, "AF30") == "AF30"
    assert queries.province_of(db_session, "AF") is None
    assert db_session.scalar(select(Place.country_code).where(Place.pcode == "TJ")) == "TJ"
    (event,) = _audits(db_session)
    assert event.outcome == "ok" and json.loads(event.details)["new"] == 8
    assert "Injil" not in event.details


def test_a_file_with_any_bad_row_writes_nothing_and_is_audited_as_failed(
    app, db_session, request_ctx
):
    data = GOOD + "AF,Afghanistan,AF31,,,,,\n"
    report = services.import_places(db_session, data.encode(), source="command")
    assert [str(p) for p in report.problems] == ["line 7: the province name is missing"]
    assert _count(db_session) == 0
    (event,) = _audits(db_session)
    assert (event.outcome, json.loads(event.details)) == (
        "failed",
        {"source": "command", "problems": 1},
    )


def test_reimport_updates_names_adds_places_and_deletes_none(app, db_session, request_ctx):
    import_good(db_session)
    again = f"{HEADER},admin1_name_ps\nAF,Afghanistan,AF01,Kabul City,AF0103,Chahar Asyab,کابل\n"
    report = import_good(db_session, again)
    assert (report.counts["new"], report.counts["updated"], report.counts["unchanged"]) == (1, 1, 1)
    kabul = db_session.scalar(select(Place).where(Place.pcode == "AF01"))
    assert kabul.name == "Kabul City" and kabul.names == {"fa": "کابل", "ps": "کابل"}
    assert _count(db_session) == 9  # Tajikistan and the other districts are kept


def test_a_place_cannot_change_level_or_parent_on_reimport(app, db_session, request_ctx):
    import_good(db_session)
    moved = csv_of("AF,Afghanistan,AF30,Herat,AF0102,Paghman", "AF,Afghanistan,AF0101,Kabul,,")
    report = services.import_places(db_session, moved, source="command")
    assert [str(p) for p in report.problems] == [
        "line 2: 'AF0102' is already under 'AF01'",
        "line 3: 'AF0101' is already a district, not a province",
    ]


def test_the_command_imports_and_exits_zero(app, db_session):
    result = app.test_cli_runner().invoke(args=["places", "import", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert "places imported: 1 countries, 2 provinces, 4 districts: 7 new" in result.output
    db_session.expire_all()
    assert _count(db_session) == 7


def test_the_command_refuses_a_bad_file_whole_and_exits_non_zero(app, db_session, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_of(
            "AF,Afghanistan,AF01,Kabul,AF0101,Kabul",
            "AF,Afghanistan,,Kapisa,,",
            "AF,Afghanistan,AF01,Kabul,,Paghman",
        )
    )
    result = app.test_cli_runner().invoke(args=["places", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 3: the province code is missing" in result.output
    assert "line 4: the district code is missing" in result.output
    assert "2 problem(s); nothing imported" in result.output
    db_session.expire_all()
    assert _count(db_session) == 0
    assert [e.outcome for e in _audits(db_session)] == ["failed"]


def test_the_demo_places_are_afghan_provinces_and_districts_in_dari_and_pashto(
    app, db_session, request_ctx
):
    from core.places import demo

    demo.load_demo(db_session, None)  # type: ignore[arg-type]
    herat = db_session.scalar(select(Place).where(Place.pcode == "AF30"))
    assert herat.names == {"fa": "هرات", "ps": "هرات"}
    assert queries.label(db_session, "AF3003", "ps") == "ګذره, هرات, افغانستان"
    demo.load_demo(db_session, None)  # type: ignore[arg-type]  # again: nothing changes
    assert _count(db_session) == 17


def test_a_name_is_shown_in_the_readers_language_or_its_regional_form(app, db_session):
    place = Place(pcode="AF01", level=1, name="Kabul", names={"fa_AF": "کابل", "ps": "کابل"})
    assert place.label("fa_AF") == "کابل" and place.label("fa") == "کابل"
    assert place.label("ps_AF") == "کابل" and place.label("ru") == "Kabul"
    assert place.label(None) == "Kabul"


def test_the_pickers_groups_are_read_once_a_request_and_anew_after_a_write_or_rollback(
    app, db_session, request_ctx
):
    from sqlalchemy import event

    import_good(db_session)
    reads: list[str] = []
    engine = db_session.get_bind()

    def seen(conn, cursor, statement, *args):
        if "FROM place" in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        first = queries.option_groups(db_session, "en")
        first[0][1].clear()  # a caller changing its copy changes nothing kept
        again = queries.option_groups(db_session, "en")
        assert len(reads) == 1 and again[0][1]
        assert queries.option_groups(db_session, "ps") and len(reads) == 2
        again_csv = f"{HEADER}\nAF,Afghanistan,AF33,Farah,AF3301,Farah City\n"
        import_good(db_session, again_csv)
        reads.clear()
        codes = [
            code
            for _group, options in queries.option_groups(db_session, "en")
            for code, _label in options
        ]
        assert "AF3301" in codes and len(reads) == 1
        savepoint = db_session.begin_nested()
        import_good(db_session, f"{HEADER}\nAF,Afghanistan,AF34,Nimroz,AF3401,Zaranj\n")
        assert "AF3401" in str(queries.option_groups(db_session, "en"))
        savepoint.rollback()
        assert "AF3401" not in str(queries.option_groups(db_session, "en"))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
