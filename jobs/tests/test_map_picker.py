"""The map picker in a real headless Chromium (jobs/static/jobs/map_picker.js): clicking the
map, dragging or pressing Enter on it fills the coordinate fields, and typed coordinates move
the marker. The tests reach no tile server (conftest.py points WIJK_MAP_TILES at a closed
loopback port), so the map runs as it does offline: no background, the note about it shown,
the picking working all the same. Without JavaScript the form is the plain form that
test_coordinates.py and test_pages.py check."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from jobs.bureau import rules_of
from jobs.models import JobRequest
from jobs.tests.cast import build_jobs_cast
from wijk.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRUSSELS = ZoneInfo("Europe/Brussels")
MARKER = (
    "el => { const m = el.mapPicker.marker(); return m && [m.getLatLng().lat, m.getLatLng().lng]; }"
)
# The geographic point under a pixel of the map, as Leaflet computes it.
POINT_AT = (
    "(el, xy) => { const p = el.mapPicker.map.containerPointToLatLng(xy); return [p.lat, p.lng]; }"
)
CENTRE = "el => { const c = el.mapPicker.map.getCenter().wrap(); return [c.lat, c.lng]; }"


class Cast:
    pass


def coming_monday() -> date:
    # Chromium keeps the real clock (its session cookie must not be expired): the server's
    # clock is moved to a day after today, as in test_browser.py.
    today = date.today()
    return today + timedelta(days=7 + (7 - today.weekday()) % 7)


def log_in(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    # A live server's first answer imports every URL's views: slow on a busy machine.
    page.goto(base + "/accounts/login/", timeout=60_000)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(base + "/")
    return page


def values(page: Any, lat: str, lon: str) -> tuple[float, float]:
    return float(page.input_value(lat).replace(",", ".")), float(
        page.input_value(lon).replace(",", ".")
    )


def test_the_map_fills_the_fields_and_the_fields_move_the_marker(
    live_server: Any, browser: Any
) -> None:
    day = coming_monday()
    clock = time_machine.travel(datetime.combine(day, time(9), tzinfo=BRUSSELS), tick=True)
    clock.start()
    try:
        ns: Any = Cast()
        build_cast(ns)
        build_jobs_cast(ns, around=day)
        page = log_in(browser, live_server.url, "cora")
        page.goto(live_server.url + f"/jobs/bureaus/{ns.bureau.pk}/requests/new/")
        pickup = page.locator("#map-pickup-picker")
        expect(pickup).to_be_visible()
        expect(page.locator("#map-dropoff-picker")).to_be_visible()
        expect(pickup.locator(".leaflet-container")).to_have_attribute("role", "group")
        # No tile comes: the map says so, and still works.
        expect(pickup.locator(".map-picker-offline")).to_be_visible()
        assert page.input_value("#id_lat") == ""

        # With no coordinates and no postcode the map shows the bureau's place.
        centre = pickup.evaluate(CENTRE)
        assert centre == pytest.approx([51.2260, 2.9180], abs=1e-4)

        # A postcode moves the map to its centre (Oostende 8400).
        page.fill("#id_postcode", "8400")
        page.press("#id_postcode", "Tab")
        centre = pickup.evaluate(CENTRE)
        assert centre == pytest.approx([51.2194, 2.9196], abs=1e-4)

        # A click on the map fills the fields with the point under the pointer.
        pickup.locator(".map-picker-map").scroll_into_view_if_needed()
        box = pickup.locator(".map-picker-map").bounding_box()
        assert box is not None
        x, y = 120, 90
        page.mouse.click(box["x"] + x, box["y"] + y)
        expected = pickup.evaluate(POINT_AT, [x, y])
        lat, lon = values(page, "#id_lat", "#id_lon")
        assert (lat, lon) == pytest.approx(expected, abs=1.5e-4)  # 3 px at zoom 15
        assert pickup.evaluate(MARKER) == pytest.approx([lat, lon], abs=1e-6)
        expect(pickup.locator(".map-picker-status")).to_contain_text(page.input_value("#id_lat"))
        marker = pickup.locator("img.leaflet-marker-icon")
        expect(marker).to_have_count(1)
        assert marker.get_attribute("alt")  # named, for screen readers

        # Typed coordinates move the marker, and the map follows it.
        page.fill("#id_lat", "51.2301")
        page.fill("#id_lon", "2.9102")
        page.press("#id_lon", "Tab")
        assert pickup.evaluate(MARKER) == pytest.approx([51.2301, 2.9102], abs=1e-9)
        centre = pickup.evaluate(CENTRE)
        assert centre == pytest.approx([51.2301, 2.9102], abs=1e-4)

        # Dragging the marker fills the fields with where it was dropped.
        marker.scroll_into_view_if_needed()
        marker_box = marker.bounding_box()
        assert marker_box is not None
        tip_x = marker_box["x"] + 12  # the icon's anchor: its tip, 12 px from the left
        tip_y = marker_box["y"] + 41
        page.mouse.move(tip_x - 2, tip_y - 20)
        page.mouse.down()
        page.mouse.move(tip_x + 30, tip_y + 10, steps=8)
        page.mouse.up()
        lat, lon = values(page, "#id_lat", "#id_lon")
        assert lat < 51.2301 and lon > 2.9102, (lat, lon)  # down and to the right
        assert pickup.evaluate(MARKER) == pytest.approx([lat, lon], abs=1e-6)

        # The keyboard: focus the drop-off map, move it with an arrow key, Enter picks the
        # middle.
        dropoff = page.locator("#map-dropoff-picker")
        dropoff.locator(".map-picker-map").focus()
        dropoff.evaluate(
            "el => { window.moved = new Promise(r => el.mapPicker.map.once('moveend', r)); }"
        )
        page.keyboard.press("ArrowRight")
        page.evaluate("window.moved.then(() => true)")  # the pan is over
        page.keyboard.press("Enter")
        middle = dropoff.evaluate(CENTRE)
        assert values(page, "#id_dropoff_lat", "#id_dropoff_lon") == pytest.approx(middle, abs=1e-5)
        # Not a trap: Tab goes through the zoom buttons and the attribution's links, and out.
        inside = "document.activeElement.closest('.map-picker-map') !== null"
        for _step in range(6):
            page.keyboard.press("Tab")
            if not page.evaluate(inside):
                break
        assert not page.evaluate(inside)

        # Sent, the request keeps the picked coordinates.
        page.select_option("#id_service", str(ns.moving.pk))
        page.fill("#id_name", "Fatma Yilmaz")
        page.fill("#id_phone", "0470 12 34 56")
        page.fill("#id_street", "Zeedijk 10")
        page.fill("#id_dropoff_street", "Kapellestraat 2")
        page.fill("#id_dropoff_postcode", "8400")
        page.fill("#id_preferred_day", day.isoformat())
        page.fill("#id_window_start", "08:00")
        page.fill("#id_window_end", "12:00")
        page.click("main form button[type=submit]")
        page.wait_for_url("**/jobs/requests/*/")
        job = JobRequest.objects.get()
        assert (job.lat, job.lon) == pytest.approx((lat, lon), abs=1e-6)
        assert (job.dropoff_lat, job.dropoff_lon) == pytest.approx(middle, abs=1e-5)
    finally:
        clock.stop()


def test_the_bureaus_place_on_the_rules_page(live_server: Any, browser: Any) -> None:
    """The rules page's map starts on the bureau's place and writes what the localised fields
    show (a decimal comma in Dutch)."""
    ns: Any = Cast()
    build_cast(ns)
    build_jobs_cast(ns)
    page = log_in(browser, live_server.url, "cora")
    page.goto(live_server.url + f"/jobs/bureaus/{ns.bureau.pk}/rules/")
    bureau = page.locator("#map-bureau-picker")
    expect(bureau).to_be_visible()
    assert bureau.evaluate(MARKER) == pytest.approx([51.2260, 2.9180], abs=1e-9)
    bureau.locator(".map-picker-map").scroll_into_view_if_needed()
    box = bureau.locator(".map-picker-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2)
    assert "," in page.input_value("#id_depot_lat")
    lat, lon = values(page, "#id_depot_lat", "#id_depot_lon")
    assert lat == pytest.approx(51.2260, abs=1e-4) and lon > 2.9180
    page.click("form:has(#id_depot_lat) button[type=submit]")
    expect(page.locator(".messages")).to_be_visible()
    rules = rules_of(ns.bureau)
    assert (rules.depot_lat, rules.depot_lon) == pytest.approx((lat, lon), abs=1e-6)


def test_without_javascript_the_form_is_the_plain_form(live_server: Any, browser: Any) -> None:
    """JavaScript off: no map shows, and a request with typed coordinates is taken."""
    day = coming_monday()
    clock = time_machine.travel(datetime.combine(day, time(9), tzinfo=BRUSSELS), tick=True)
    clock.start()
    try:
        ns: Any = Cast()
        build_cast(ns)
        build_jobs_cast(ns, around=day)
        context = browser.new_context(locale="nl-BE", java_script_enabled=False)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url + "/accounts/login/", timeout=60_000)
        page.fill("input[name=username]", "cora")
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/accounts/login/'] button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        page.goto(live_server.url + f"/jobs/bureaus/{ns.bureau.pk}/requests/new/")
        expect(page.locator("#map-pickup-picker")).to_be_hidden()
        expect(page.locator(".leaflet-container")).to_have_count(0)
        page.select_option("#id_service", str(ns.garden.pk))
        page.fill("#id_name", "Fatma Yilmaz")
        page.fill("#id_phone", "0470 12 34 56")
        page.fill("#id_street", "Zeedijk 10")
        page.fill("#id_postcode", "8400")
        page.fill("#id_lat", "51.2301")
        page.fill("#id_lon", "2.9102")
        page.fill("#id_preferred_day", day.isoformat())
        page.fill("#id_window_start", "09:00")
        page.fill("#id_window_end", "12:00")
        page.click("main form button[type=submit]")
        page.wait_for_url("**/jobs/requests/*/")
        assert JobRequest.objects.values_list("lat", "lon").get() == (51.2301, 2.9102)
        context.close()
    finally:
        clock.stop()
