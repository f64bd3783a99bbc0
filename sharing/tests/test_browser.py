"""End to end in a real headless Chromium: import a month of meter data → allocate the month
→ open a participant's statement PDF."""

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from core.models import Programme
from sharing.models import AllocationRun, MeterImport
from sharing.tests.cast import build_sharing_cast, month_file
from wijk.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


@pytest.fixture
def cast() -> Any:
    ns: Any = Cast()
    build_cast(ns)
    ns.energy = Programme.objects.create(
        name="Zonnedelen Brugge",
        slug="zon-brugge",
        kind="energy_sharing",
        lead_organisation=ns.lead,
    )
    build_sharing_cast(ns, ns.energy)
    return ns


def test_import_a_month_allocate_it_and_open_a_statement(
    live_server: Any, page: Any, cast: Any
) -> None:
    base = live_server.url
    community = cast.community
    page.set_default_timeout(15_000)
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", "cora")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(base + "/")

    # ---- import January: the grid operator's export
    page.goto(base + f"/sharing/communities/{community.pk}/imports/")
    page.set_input_files(
        "input[name=file]",
        {"name": "januari.csv", "mimeType": "text/csv", "buffer": month_file(date(2026, 1, 1))},
    )
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    # The import is a background run (the test backend does it at once): its page, with
    # progress, links back to the imports.
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    page.click(f"a.button[href$='/sharing/communities/{community.pk}/imports/']")
    page.wait_for_url(re.compile(rf"/sharing/communities/{community.pk}/imports/$"))
    expect(page.locator("table")).to_contain_text("januari.csv")
    assert MeterImport.objects.get().days == 31

    # ---- allocate January
    page.goto(base + f"/sharing/communities/{community.pk}/runs/")
    page.fill("input[name=month]", "2026-01")
    page.click("form[method=post].card button[type=submit]")
    page.wait_for_url(re.compile(r"/runs/\d+/$"))  # the platform's run page, with progress
    page.click("a.button[href$='/months/2026-01/']")
    page.wait_for_url(re.compile(rf"/sharing/communities/{community.pk}/months/2026-01/$"))
    expect(page.locator("h1")).to_contain_text("2026")
    expect(page.locator("svg#heat")).to_be_visible()
    assert AllocationRun.objects.get().month == date(2026, 1, 1)

    # ---- the dashboard at 360 px: nothing wider than the screen but the scrolling tables
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(base + f"/sharing/communities/{community.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.go_back()

    # ---- the statement of An Jansens
    row = page.locator("tr", has_text="An Jansens")
    href = row.locator("a", has_text="PDF").get_attribute("href")
    assert href == f"/sharing/participants/{cast.jansens_p.pk}/statements/2026-01/"
    response = page.request.get(base + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
