"""P1's minimal Flask page (bench/anchor.py) costs what a minimal page costs, no more.

Every P1 ratio divides by its rate: a slower anchor flatters every page measured against it.
"""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import create_engine


@pytest.fixture
def anchor(tmp_path):
    module = importlib.import_module("bench.anchor")
    url = f"sqlite:///{tmp_path / 'anchor.db'}"
    engine = create_engine(url)
    module.ensure_rows(engine, module.PAGE_SIZE * 2 + 3)
    engine.dispose()
    return module, module.create_anchor_app(url)


def test_the_page_is_compiled_once_not_on_every_request(anchor, monkeypatch):
    _module, app = anchor
    client = app.test_client()
    compiled = []
    compile_ = app.jinja_env.compile
    monkeypatch.setattr(
        app.jinja_env, "compile", lambda *a, **k: compiled.append(1) or compile_(*a, **k)
    )
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert len(compiled) == 1


def test_it_renders_a_full_page_of_rows_with_keyset_paging(anchor):
    module, app = anchor
    client = app.test_client()
    first = client.get("/").get_data(as_text=True)
    assert first.count("<tr><td>") == module.PAGE_SIZE
    assert f'href="/?after={module.PAGE_SIZE}"' in first
    last = client.get(f"/?after={module.PAGE_SIZE * 2}").get_data(as_text=True)
    assert last.count("<tr><td>") == 3 and "?after=" not in last
