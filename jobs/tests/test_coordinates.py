"""Coordinates as the server sees them: staff may type them (or pick them on the map, which
only fills the same fields: test_map_picker.py), else the postcode's centre; every address
has a plain OpenStreetMap link, which needs no JavaScript (and is simply a dead link
offline). These tests are the form without JavaScript."""

from datetime import date

from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from jobs.models import JobRequest
from jobs.tests.cast import DAY, JobsTestCase
from wijk.testing import clock_at


def body(service: int, **extra: str) -> dict[str, str]:
    values = {
        "service": str(service),
        "name": "Fatma Yilmaz",
        "phone": "0470 12 34 56",
        "language": "nl",
        "street": "Zeedijk 10",
        "postcode": "8400",
        "preferred_day": DAY.isoformat(),
        "window_start": "09:00",
        "window_end": "13:00",
    }
    values.update(extra)
    return values


@clock_at(date(2026, 2, 27))
class CoordinatesTest(JobsTestCase):
    def test_typed_coordinates_are_kept_and_empty_ones_fall_back_to_the_postcode(self) -> None:
        self.client.force_login(self.cora)
        url = reverse("jobs:request_new", args=[self.bureau.pk])
        self.assertContains(self.client.get(url), 'name="lat"')
        self.client.post(url, body(self.garden.pk, lat="51.2301", lon="2.9102"))
        typed = JobRequest.objects.get()
        self.assertEqual((typed.lat, typed.lon), (51.2301, 2.9102))
        page = self.client.get(reverse("jobs:request", args=[typed.pk]))
        self.assertContains(page, "openstreetmap.org/?mlat=51.23010&amp;mlon=2.91020")
        self.client.post(url, body(self.garden.pk, name="Ander"))
        centre = JobRequest.objects.get(name="Ander")
        self.assertEqual((centre.lat, centre.lon), (51.2194, 2.9196))
        far = self.client.post(url, body(self.garden.pk, name="Ver", lat="51.05", lon="3.72"))
        self.assertContains(far, "59,3 km", status_code=400)  # a Dutch page
        bad = self.client.post(url, body(self.garden.pk, name="Fout", lat="91", lon="2.9"))
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(JobRequest.objects.filter(name__in=("Ver", "Fout")).exists())

    def test_the_public_form_asks_for_an_address_only(self) -> None:
        page = self.client.get(reverse("jobs_public:ask", args=[self.bureau.pk]))
        self.assertNotContains(page, 'name="lat"')
        self.assertNotContains(page, "leaflet")
        self.assertNotContains(page, "openstreetmap")

    def test_drop_off_coordinates_are_kept_and_checked_like_the_address(self) -> None:
        self.client.force_login(self.cora)
        url = reverse("jobs:request_new", args=[self.bureau.pk])
        drop = {"dropoff_street": "Kapellestraat 2", "dropoff_postcode": "8400"}
        self.client.post(
            url, body(self.moving.pk, **drop, dropoff_lat="51.2250", dropoff_lon="2.9300")
        )
        typed = JobRequest.objects.get()
        self.assertEqual((typed.dropoff_lat, typed.dropoff_lon), (51.2250, 2.9300))
        self.client.post(url, body(self.moving.pk, name="Ander", **drop))
        centre = JobRequest.objects.get(name="Ander")
        self.assertEqual((centre.dropoff_lat, centre.dropoff_lon), (51.2194, 2.9196))
        far = self.client.post(
            url, body(self.moving.pk, name="Ver", **drop, dropoff_lat="51.05", dropoff_lon="3.72")
        )
        self.assertContains(far, "59,3 km", status_code=400)  # a Dutch page
        alone = self.client.post(
            url, body(self.moving.pk, name="Los", dropoff_lat="51.2250", dropoff_lon="2.93")
        )
        with translation.override("nl"):  # the page's language
            missing = translation.gettext("Give the street and number of the drop-off too.")
        self.assertNotEqual(missing, "Give the street and number of the drop-off too.")
        self.assertContains(alone, missing, status_code=400)
        self.assertFalse(JobRequest.objects.filter(name__in=("Ver", "Los")).exists())

    def test_the_api_takes_drop_off_coordinates_too(self) -> None:
        from core.tokens import api_token_create

        token = api_token_create(user=self.cora)
        answer = self.client.post(
            f"/api/v1/jobs/bureaus/{self.bureau.pk}/requests",
            {
                **body(self.moving.pk),
                "service": self.moving.pk,
                "dropoff_street": "Kapellestraat 2",
                "dropoff_postcode": "8400",
                "dropoff_lat": 51.2250,
                "dropoff_lon": 2.9300,
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        self.assertEqual(answer.status_code, 201, answer.content)
        job = JobRequest.objects.get()
        self.assertEqual((job.dropoff_lat, job.dropoff_lon), (51.2250, 2.9300))


@clock_at(date(2026, 2, 27))
class MapPickerMarkupTest(JobsTestCase):
    """The map picker's markup and scripts are on the staff forms only, hidden until the
    script shows them, and gone with WIJK_MAP_TILES empty."""

    client_language = "en"

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.cora)
        self.new = reverse("jobs:request_new", args=[self.bureau.pk])
        self.rules = reverse("jobs:rules", args=[self.bureau.pk])

    @override_settings(WIJK_MAP_TILES="https://tiles.example.org/{z}/{x}/{y}.png")
    def test_the_staff_forms_have_a_hidden_map_beside_the_fields(self) -> None:
        page = self.client.get(self.new)
        html = page.content.decode()
        self.assertEqual(html.count("leaflet/leaflet.js"), 1)  # once for both maps
        self.assertEqual(html.count("jobs/map_picker.js"), 1)
        for kind, lat, lon in (("pickup", "lat", "lon"), ("dropoff", "dropoff_lat", "dropoff_lon")):
            self.assertContains(page, f'class="map-picker" id="map-{kind}-picker" hidden')
            self.assertContains(page, f'data-lat-field="id_{lat}" data-lon-field="id_{lon}"')
            self.assertContains(page, f'name="{lat}"')
        self.assertContains(page, 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"')
        self.assertContains(page, "Map of the drop-off address")
        # The map comes after the address's coordinate fields, before the next address.
        self.assertLess(html.index('name="lon"'), html.index('id="map-pickup-picker"'))
        self.assertLess(html.index('id="map-pickup-picker"'), html.index('name="dropoff_street"'))
        self.assertContains(self.client.get(self.rules), 'id="map-bureau-picker" hidden')

    @override_settings(WIJK_MAP_TILES="")
    def test_with_no_tile_server_there_is_no_map_and_no_map_script(self) -> None:
        for url in (self.new, self.rules):
            page = self.client.get(url)
            self.assertNotContains(page, "leaflet")
            self.assertNotContains(page, "map_picker.js")
            self.assertNotContains(page, "map-picker")
        page = self.client.get(self.new)
        self.assertContains(page, 'name="lat"')  # the fields stay
        self.client.post(self.new, body(self.garden.pk, lat="51.2301", lon="2.9102"))
        self.assertEqual(JobRequest.objects.values_list("lat", "lon").get(), (51.2301, 2.9102))

    def test_a_reader_of_the_rules_gets_no_map(self) -> None:
        self.client.force_login(self.jo)  # a job coach reads the rules, a coordinator sets them
        page = self.client.get(self.rules)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "leaflet")
