"""Walks every URL of the site — pages and API — as a member of another organisation.

Every route with an object in its path must refuse (403, 404 or 405) and change nothing;
every route without one must not show the other organisation's data. A new route whose path
names an object this test does not know fails the test until it is added to objects(), so no
route escapes the walk.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from core.models import AuditEvent
from core.services import api_token_create
from households.models import Consent, Enrolment, Household, RestrictedNote
from wijk.testing import WijkTestCase

REFUSED = {403, 404, 405}
# A write with a body the route does not accept is refused before it reaches any data.
WRITE_REFUSED = REFUSED | {400, 422}
# Shown on pages or in API answers only to those allowed: the victim organisation's data.
SECRETS = ("Jansens", "Peeters", "Kerkstraat", "Huishoudtoestellen huren", "OCMW Brugge")


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


class TenantIsolationTest(WijkTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.consent = Consent.objects.create(
            household=cls.jansens, purpose="programme", given_on=date(2026, 1, 5)
        )
        cls.note = RestrictedNote.objects.create(
            household=cls.jansens, organisation=cls.ocmw, text="Kerkstraat: ring twice"
        )
        cls.partner = cls.rental.partners.first()
        cls.tariff = cls.rental.tariffs.first()

    def objects(self) -> dict[str, Any]:
        """Path parameter name → a record of the victim organisations (ocmw and lead)."""
        return {
            "household_pk": self.jansens.pk,
            "household_id": self.jansens.pk,
            "programme_pk": self.rental.pk,
            "programme_id": self.rental.pk,
            "partner_pk": self.partner.pk,
            "partner_id": self.partner.pk,
            "tariff_pk": self.tariff.pk,
            "tariff_id": self.tariff.pk,
            "consent_pk": self.consent.pk,
            "consent_id": self.consent.pk,
            "note_pk": self.note.pk,
            "note_id": self.note.pk,
            "organisation_pk": self.ocmw.pk,
            "organisation_id": self.ocmw.pk,
        }

    def url_for(self, route: str, pattern: URLPattern) -> str | None:
        """The route with each object parameter filled in; None if a parameter is unknown."""
        url = "/" + route
        for name, value in self.objects().items():
            for converter in ("int", "str", "slug", "uuid", "path"):
                url = url.replace(f"<{converter}:{name}>", str(value))
            url = url.replace(f"<{name}>", str(value))
        if "<" in url or "(?P" in url:
            return None
        return url.replace("^", "").replace("$", "").replace("\\Z", "")

    def snapshot(self) -> tuple:
        return (
            Household.objects.values().get(pk=self.jansens.pk),
            Enrolment.objects.filter(household=self.jansens).count(),
            Consent.objects.filter(household=self.jansens).count(),
            RestrictedNote.objects.filter(household=self.jansens).count(),
            AuditEvent.objects.filter(household=self.jansens).count(),
            self.rental.partners.count(),
            self.rental.tariffs.count(),
        )

    def find_leaks(self) -> tuple[list[str], int]:
        """Every route requested as otto (arnhem) — problems found, and routes checked."""
        token = api_token_create(user=self.otto)
        self.login("otto")
        problems: list[str] = []
        checked = 0
        for route, pattern in walk(get_resolver().url_patterns):
            url = self.url_for(route, pattern)
            if url is None:
                problems.append(
                    f"/{route}: unknown path parameter; add a record of another organisation "
                    "for it to objects() in this test"
                )
                continue
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if route.startswith("api/") else {}
            has_object = bool(pattern.pattern.regex.groupindex)
            before = self.snapshot()
            response = self.client.get(url, **headers)
            if has_object and response.status_code not in REFUSED:
                problems.append(f"GET {url} answered {response.status_code}, not a refusal")
            if response.status_code >= 500:
                problems.append(f"GET {url} answered {response.status_code}")
            body = response.content.decode(errors="replace")
            problems += [f"GET {url} shows {s!r}" for s in SECRETS if s in body]
            if has_object:
                for method in ("post", "patch", "put", "delete"):
                    response = getattr(self.client, method)(
                        url, data={}, content_type="application/json", **headers
                    )
                    if response.status_code not in WRITE_REFUSED:
                        problems.append(f"{method.upper()} {url} answered {response.status_code}")
            if self.snapshot() != before:
                problems.append(f"{url}: a refused request changed data")
            checked += 1
        return problems, checked

    def test_every_route_refuses_another_organisation(self) -> None:
        problems, checked = self.find_leaks()
        self.assertEqual(problems, [])
        self.assertGreater(checked, 30)

    @override_settings(ROOT_URLCONF="core.tests.leaky_urls")
    def test_the_walk_catches_a_route_that_forgets_scoping(self) -> None:
        problems, _checked = self.find_leaks()
        leak = f"/leak/{self.jansens.pk}/"
        self.assertIn(f"GET {leak} answered 200, not a refusal", problems)
        self.assertIn(f"GET {leak} shows 'Jansens'", problems)
        self.assertIn("GET /leak-list/ shows 'Jansens'", problems)
        self.assertTrue(any(p.startswith("/leak-unknown/") for p in problems))
        # ...and nothing about the real routes, which do scope.
        self.assertEqual([p for p in problems if "/leak" not in p], [])
