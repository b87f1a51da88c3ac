"""A caseworker in real Chromium attaches a file to a demo case and downloads it again;
a disguised executable is refused with a message next to the field; axe-core on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.casework.helpers import PDF_BYTES
from tests.e2e.conftest import CASE_PAGE, assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def _open_farida(page) -> None:
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Farida Nazari").get_by_role("link").first.click()
    page.wait_for_url(CASE_PAGE)


def test_attach_and_download_a_file(page, live_server, artifacts_dir, tmp_path, backend):
    sign_in(page, live_server.account("caseworker"))
    _open_farida(page)
    case_url = page.url
    expect(page.get_by_role("heading", name="Attachments")).to_be_visible()

    statement = tmp_path / "statement — شهادت.pdf"
    statement.write_bytes(PDF_BYTES)
    page.get_by_label("File to attach").set_input_files(str(statement))
    page.get_by_label("Short description").fill("Signed statement")
    page.get_by_role("button", name="Attach file").click()
    page.wait_for_url("**/cases/*#attachments")
    expect(page.get_by_text("File attached.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Signed statement")
    expect(row.get_by_role("cell", name="PDF", exact=True)).to_be_visible()
    assert "statement" not in page.url and "Signed" not in page.url
    page.screenshot(path=str(artifacts_dir / f"attachments-{backend}.png"), full_page=True)
    assert_accessible(page, f"case-attachments-{backend}", artifacts_dir)

    with page.expect_download() as info:
        row.get_by_role("link", name="statement — شهادت.pdf").click()
    download = info.value
    assert download.suggested_filename == "statement — شهادت.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(str(saved))
    assert saved.read_bytes() == PDF_BYTES

    disguised = tmp_path / "invoice.pdf"
    disguised.write_bytes(b"MZ\x90\x00" + bytes(200))
    page.goto(case_url)
    page.get_by_label("File to attach").set_input_files(str(disguised))
    page.get_by_role("button", name="Attach file").click()
    expect(
        page.locator("#error-summary").get_by_text("cannot be attached, whatever its name says")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Attach a file to case")).to_be_visible()
    assert_accessible(page, f"attachment-refused-{backend}", artifacts_dir)
