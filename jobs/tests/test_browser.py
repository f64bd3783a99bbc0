"""End to end in a real headless Chromium: a resident asks for moving help on the public form
→ the coach plans the day → the worker opens the phone page and registers the hours → the
coach approves → the invoice and the allowance statement exist as PDFs.

The whole test runs on a coming Monday (time-machine moves the server's clock, in every
thread): the resident asks for that day at 07:00, the worker registers the hours at 18:00.
Chromium keeps the real clock, which is earlier, so its session cookies stay valid.
"""

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from jobs.models import Hours, JobRequest
from jobs.tests.cast import build_jobs_cast
from wijk.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRUSSELS = ZoneInfo("Europe/Brussels")


class Cast:
    pass


def coming_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 + (7 - today.weekday()) % 7)


def log_in(browser: Any, base: str, username: str, width: int = 1280) -> Any:
    context = browser.new_context(locale="nl-BE", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(base + "/")
    return page


def fetch_pdf(page: Any, url: str) -> bytes:
    response = page.request.get(url)
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf"
    body: bytes = response.body()
    assert body.startswith(b"%PDF")
    return body


def test_moving_help_from_the_public_form_to_invoice_and_statement(
    live_server: Any, browser: Any, page: Any
) -> None:
    day = coming_monday()
    base = live_server.url
    morning = time_machine.travel(datetime.combine(day, time(7), tzinfo=BRUSSELS), tick=True)
    morning.start()
    try:
        ns: Any = Cast()
        build_cast(ns)
        build_jobs_cast(ns, around=day)

        # ---- a resident asks for moving help, on a phone, without an account
        resident = browser.new_context(locale="nl-BE", viewport={"width": 360, "height": 740})
        phone = resident.new_page()
        phone.set_default_timeout(30_000)
        phone.goto(base + f"/r/jobs/ask/{ns.bureau.pk}/")
        phone.select_option("select[name=service]", str(ns.moving.pk))
        phone.fill("input[name=name]", "Fatma Yilmaz")
        phone.fill("input[name=phone]", "0470 12 34 56")
        phone.fill("input[name=street]", "Zeedijk 10")
        phone.fill("input[name=postcode]", "8400")
        phone.fill("input[name=dropoff_street]", "Kapellestraat 2")
        phone.fill("input[name=dropoff_postcode]", "8400")
        phone.fill("input[name=preferred_day]", day.isoformat())
        phone.fill("input[name=window_start]", "08:00")
        phone.fill("input[name=window_end]", "12:00")
        phone.click("form.card button[type=submit]")
        expect(phone.locator("strong.count")).to_contain_text("29,80")  # the price first
        assert not JobRequest.objects.exists()
        phone.click("section.card form button[type=submit]")
        expect(phone.locator("h1")).to_have_count(1)
        expect(phone.locator(".secret")).to_contain_text("/r/jobs/feedback/")
        job = JobRequest.objects.get()
        assert (job.channel, job.status) == ("public", "new")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width  # no sideways scrolling on a small phone
        resident.close()

        # ---- the coach plans the day
        coach = log_in(browser, base, "jo")
        coach.goto(base + f"/jobs/bureaus/{ns.bureau.pk}/plan/?day={day.isoformat()}")
        coach.click("form:has(input[name=day][type=hidden]) button[type=submit]")
        coach.wait_for_url(re.compile(r"/plan/\?day="))
        expect(coach.locator("#routes")).to_contain_text("Wout Claeys")
        expect(coach.locator("#routes")).to_contain_text("Sara Benali")
        job.refresh_from_db()
        assert job.status == "planned"
        assignment = job.assignments.get(worker=ns.worker_w)
    finally:
        morning.stop()

    evening = time_machine.travel(datetime.combine(day, time(18), tzinfo=BRUSSELS), tick=True)
    evening.start()
    try:
        # ---- the worker opens the phone page and registers the hours
        worker = log_in(browser, base, "wout", width=360)
        worker.goto(base + "/jobs/today/")
        worker.click(f"a[href='/jobs/today/{assignment.pk}/']")
        expect(worker.locator("dl")).to_contain_text("Zeedijk 10")
        worker.fill("input[name=km]", "4")
        worker.click("form:has(input[name=km]) button[type=submit]")
        worker.wait_for_url(base + "/jobs/today/")
        hours = Hours.objects.get(worker=ns.worker_w)
        assert hours.approved_at is None

        # ---- the coach approves, and the invoice and the statement exist (a new session:
        # the morning's has timed out by the evening)
        coach = log_in(browser, base, "jo")
        coach.goto(base + f"/jobs/bureaus/{ns.bureau.pk}/hours/")
        coach.click(f"form[action='/jobs/hours/{hours.pk}/approve/'] button")
        expect(coach.locator(".messages")).to_contain_text("Wout Claeys")
        hours.refresh_from_db()
        assert hours.approved_by == ns.jo
        job.refresh_from_db()
        assert job.status == "done"
        fetch_pdf(coach, base + f"/jobs/requests/{job.pk}/invoice.pdf")
        fetch_pdf(coach, base + f"/jobs/workers/{ns.worker_w.pk}/statements/{day:%Y-%m}.pdf")
    finally:
        evening.stop()
