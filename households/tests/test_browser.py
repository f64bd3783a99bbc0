"""End to end in a real headless Chromium: an intake worker logs in, registers a household,
enrols it in a programme and switches the interface to French."""

import re
from typing import Any

import pytest

from households.models import Enrolment, Household
from wijk.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


@pytest.fixture
def cast() -> Any:
    ns = Cast()
    build_cast(ns)
    return ns


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(base + "/")


def test_register_enrol_and_switch_to_french(live_server: Any, page: Any, cast: Any) -> None:
    base = live_server.url
    log_in(page, base, "ines")
    assert page.locator("html").get_attribute("lang") == "nl"

    page.goto(base + "/households/new/")
    page.fill("input[name=first_name]", "Fatima")
    page.fill("input[name=last_name]", "El Amrani")
    page.fill("input[name=birth_year]", "1979")
    page.fill("input[name=street]", "Ezelstraat")
    page.fill("input[name=house_number]", "77")
    page.fill("input[name=postcode]", "8000")
    page.fill("input[name=city]", "Brugge")
    page.select_option("select[name=country]", "BE")
    page.select_option("select[name=language]", "fr")
    page.check("input[name=contact_channel][value=phone]")
    page.fill("input[name=phone]", "+32 50 12 34 56")
    page.fill("input[name=size]", "4")
    page.check("input[name=welfare_client]")
    page.click("form.household-form button[type=submit]")
    page.wait_for_url(re.compile(r"/households/\d+/$"))
    household = Household.objects.get(last_name="El Amrani")
    assert household.organisation == cast.ocmw
    assert "El Amrani" in page.content()

    page.goto(base + f"/households/{household.pk}/enrol/")
    page.select_option("select[name=programme]", str(cast.rental.pk))
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(rf"/households/{household.pk}/(#\w+)?$"))
    enrolment = Enrolment.objects.get(household=household, programme=cast.rental)
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert any(r["rule"] == "welfare_client" and r["passed"] for r in enrolment.rule_results)

    page.select_option("#switch-language", "fr")
    page.click("form:has(#switch-language) button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    # The navigation and the page speak French now.
    assert page.get_by_role("link", name="Ménages").first.is_visible()
    assert "Inscriptions" in page.content() or "Programmes" in page.content()
