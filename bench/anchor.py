"""The minimal Flask page P1 is measured against (``make bench``; not part of Homeward).

    gunicorn --pythonpath bench anchor:app   (BENCH_ANCHOR_DATABASE_URL names the database)

One route renders a page of ``PAGE_SIZE`` rows (the case list's page size) from a plain table
of the same number of rows as the measured database holds cases, with the same keyset paging,
through SQLAlchemy Core and Jinja: what any Flask page that lists rows costs, with no
sign-in, decryption, policy or audit. ``ensure_rows`` creates and fills the table.
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta

from flask import Flask, render_template, request
from jinja2 import DictLoader
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Engine

PAGE_SIZE = 50  # casework.caseload.PAGE_SIZE

metadata = MetaData()
rows_table = Table(
    "bench_anchor_row",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(20), nullable=False),
    Column("name", String(120), nullable=False),
    Column("opened", Date, nullable=False),
    Column("stage", String(30), nullable=False),
)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rows</title></head>
<body><main><h1>Rows</h1>
<table><thead><tr><th>Number</th><th>Name</th><th>Opened</th><th>Stage</th></tr></thead>
<tbody>{% for row in rows %}<tr><td><a href="/rows/{{ row.id }}">{{ row.number }}</a></td>
<td>{{ row.name }}</td><td>{{ row.opened.isoformat() }}</td><td>{{ row.stage }}</td></tr>
{% endfor %}</tbody></table>
{% if more %}<a href="/?after={{ rows[-1].id }}">Next</a>{% endif %}
</main></body></html>"""


def ensure_rows(engine: Engine, count: int) -> None:
    """Make ``bench_anchor_row`` hold exactly ``count`` rows (refilled when it differs)."""
    metadata.create_all(engine)
    with engine.begin() as conn:
        if conn.scalar(select(func.count()).select_from(rows_table)) == count:
            return
        conn.execute(rows_table.delete())
        rng = random.Random(5)
        stages = ["registered", "screening", "planning", "support", "monitoring", "closed"]
        start = date(2024, 1, 1)
        for first in range(0, count, 5000):
            conn.execute(
                insert(rows_table),
                [
                    {
                        "id": n,
                        "number": f"HW-{n:07d}",
                        "name": f"Person {rng.randrange(10**6):06d}",
                        "opened": start + timedelta(days=rng.randrange(900)),
                        "stage": rng.choice(stages),
                    }
                    for n in range(first + 1, min(first + 5000, count) + 1)
                ],
            )


def create_anchor_app(database_url: str) -> Flask:
    app = Flask(__name__)
    # A template file as any Flask app has, compiled once and then taken from Jinja's cache
    # (``render_template_string`` would compile it again on every request, which was half of
    # this page's cost and made every ratio against it look better than it was).
    app.jinja_loader = DictLoader({"rows.html": PAGE})
    engine = create_engine(database_url, pool_pre_ping=False)

    @app.get("/")
    def index() -> str:
        after = request.args.get("after", type=int) or 0
        with engine.connect() as conn:
            rows = list(
                conn.execute(
                    select(rows_table)
                    .where(rows_table.c.id > after)
                    .order_by(rows_table.c.id)
                    .limit(PAGE_SIZE + 1)
                )
            )
        return render_template("rows.html", rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE)

    return app


if "BENCH_ANCHOR_DATABASE_URL" in os.environ:
    app = create_anchor_app(os.environ["BENCH_ANCHOR_DATABASE_URL"])
