"""End to end in a real headless Chromium: the lead's coordinator describes and publishes a
practice; a visitor opens its public page without logging in; a coordinator of another
organisation asks for an exchange and adopts the programme's package after its preview."""

from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from core.models import Programme
from practices.models import ExchangeRequest, Practice
from rentals.tests.cast import build_rental_cast
from rentals.tests.test_browser import log_in
from wijk.testing import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


def test_publish_read_ask_and_adopt(live_server: Any, browser: Any, page: Any) -> None:
    cast: Any = Cast()
    build_cast(cast)
    build_rental_cast(cast)
    base = live_server.url

    # ---- the coordinator of the lead describes the practice and publishes it
    cora = log_in(browser, base, "cora")
    cora.goto(base + "/practices/new/")
    cora.fill("#id_title", "Zuinige toestellen huren")
    cora.fill("#id_summary", "Gezinnen huren een zuinig toestel voor een klein bedrag.")
    cora.fill("#id_approach", "Intake bij het OCMW\nLevering en plaatsing")
    cora.check("input[name=themes][value=energy_poverty]")
    cora.select_option("#id_programme", str(cast.rental.pk))
    cora.click("main form button[type=submit]")
    practice = Practice.objects.get()
    expect(cora).to_have_url(f"{base}/practices/{practice.pk}/edit/")
    cora.click(f"form[action='/practices/{practice.pk}/publish/'] button[type=submit]")
    with translation.override("nl"):  # the browser reads Dutch, the site's default
        published = str(Practice.Status.PUBLISHED.label)
    expect(cora.locator("h1 .tag")).to_have_text(published)

    # ---- anyone reads it without logging in
    page.goto(f"{base}/practices/p/{practice.pk}/")
    expect(page.locator("h1")).to_have_text("Zuinige toestellen huren")
    expect(page.locator("main ol li")).to_have_count(2)

    # ---- Arnhem asks for an exchange from the practice page
    otto = log_in(browser, base, "otto")
    otto.goto(f"{base}/practices/p/{practice.pk}/")
    otto.click(f"a[href='/practices/exchanges/new/?practice={practice.pk}']")
    otto.select_option("#id_kind", "conversation")
    otto.fill("#id_message", "Mogen we eens online sparren?")
    otto.fill("#id_meeting_link", "https://meet.example/arnhem")
    otto.click("main form button[type=submit]")
    thread = ExchangeRequest.objects.get()
    expect(otto).to_have_url(f"{base}/practices/exchanges/{thread.pk}/")
    expect(otto.locator("ol.thread")).to_contain_text("Mogen we eens online sparren?")

    # ---- and adopts the programme: first the preview, then the new programme
    otto.goto(f"{base}/practices/p/{practice.pk}/")
    otto.click(f"a[href='/practices/packages/adopt/?practice={practice.pk}']")
    preview = otto.locator("section[aria-labelledby=preview-title]")
    expect(preview).to_contain_text("Bewonersinitiatief Spijkerkwartier")
    expect(preview).to_contain_text("België")  # the browser reads Dutch
    otto.fill("#id_adopt_name", "Toestellen huren Arnhem")
    preview.locator("button[type=submit]").click()
    adopted = Programme.objects.get(name="Toestellen huren Arnhem")
    expect(otto).to_have_url(f"{base}/programmes/{adopted.pk}/")
    assert adopted.lead_organisation == cast.arnhem
    assert adopted.eligibility_rules == cast.rental.eligibility_rules
