"""Coordinates without a map script: staff may type them, else the postcode's centre; every
address has a plain OpenStreetMap link, which needs no JavaScript (and is simply a dead link
offline)."""

from datetime import date

from django.urls import reverse

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
        self.assertContains(far, "59.3 km", status_code=400)
        bad = self.client.post(url, body(self.garden.pk, name="Fout", lat="91", lon="2.9"))
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(JobRequest.objects.filter(name__in=("Ver", "Fout")).exists())

    def test_the_public_form_asks_for_an_address_only(self) -> None:
        page = self.client.get(reverse("jobs_public:ask", args=[self.bureau.pk]))
        self.assertNotContains(page, 'name="lat"')
        self.assertNotContains(page, "leaflet")
        self.assertNotContains(page, "openstreetmap")
