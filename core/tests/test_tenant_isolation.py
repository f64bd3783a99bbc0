"""Walks every URL of the site — pages and API — as a member of another organisation.

Every route with an object in its path must refuse (403, 404 or 405) and change nothing;
every route without one must not show the other organisation's data. A new route whose path
names an object this test does not know fails the test until it is added to objects(), so no
route escapes the walk.
"""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from core.models import AuditEvent
from core.services import api_token_create
from households.models import Consent, Enrolment, Household, RestrictedNote
from rentals.tests.cast import RentalTestCase

REFUSED = {403, 404, 405}
# Pages for residents without an account: they open with a secret link and a PIN, so they
# answer everyone (a PIN form) and must show nothing before the PIN is right.
PUBLIC_PREFIXES = ("r/",)
# Path parameters that choose a period, not a record: any organisation may ask for its own.
PERIOD_PARAMETERS = {"year", "month"}
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


class TenantIsolationTest(RentalTestCase):
    consent: Consent
    note: RestrictedNote
    partner: Any
    tariff: Any
    resident_key: str
    contract: Any
    visit: Any
    ticket: Any
    payment: Any
    bank_import: Any
    bank_line: Any

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.consent = Consent.objects.create(
            household=cls.jansens, purpose="programme", given_on=date(2026, 1, 5)
        )
        cls.note = RestrictedNote.objects.create(
            household=cls.jansens, organisation=cls.ocmw, text="Kerkstraat: ring twice"
        )
        from core.tenancy import acting_for
        from rentals.resident import resident_access_issue

        ines = acting_for(cls.ines)
        assert ines is not None
        cls.resident_key, _pin = resident_access_issue(acting=ines, household=cls.jansens)
        cls.partner = cls.rental.partners.first()
        cls.build_rentals()
        cls.tariff = cls.rental.tariffs.first()

    @classmethod
    def build_rentals(cls) -> None:
        """A contract of jansens (ocmw's household, ocmw collects) with a ticket, visits, a
        charge, a payment and a bank import: all invisible to arnhem."""
        from rentals import services as rentals
        from rentals.models import BankImport, BankLine, Visit

        case = cls("setUp")
        case.__dict__.update({k: getattr(cls, k) for k in ("jansens", "rental")})
        cls.contract = case.active_contract(installed_on=date(2026, 1, 5))
        cls.visit = cls.contract.visits.get(kind=Visit.Kind.INSTALLATION)
        cls.ticket = rentals.ticket_open(
            contract=cls.contract, channel="phone", description="Leaks water"
        )
        rentals.billing_run(programme=cls.rental, month=date(2026, 1, 1))
        cls.payment = rentals.payment_record(
            acting=cls.acting_of(cls.ines),
            household=cls.jansens,
            amount=Decimal("5.00"),
            received_on=date(2026, 2, 1),
            method="cash",
        )
        cls.bank_import = BankImport.objects.create(
            collector=cls.ocmw, filename="jansens.xml", file_format="camt053"
        )
        cls.bank_line = BankLine.objects.create(
            bank_import=cls.bank_import,
            number=1,
            booked_on=date(2026, 2, 3),
            amount=Decimal("7.50"),
            counterparty="Jansens",
            text="Kerkstraat",
            status=BankLine.Status.UNMATCHED,
        )

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
            "key": self.resident_key,
            "year": 2026,
            "month": "2026-01",
            "appliance_model_pk": self.washer.pk,
            "appliance_model_id": self.washer.pk,
            "unit_pk": self.contract.unit_id,
            "label_code": self.contract.unit.label_code,
            "unit_id": self.contract.unit_id,
            "application_pk": self.contract.application_id,
            "application_id": self.contract.application_id,
            "contract_pk": self.contract.pk,
            "contract_id": self.contract.pk,
            "visit_pk": self.visit.pk,
            "visit_id": self.visit.pk,
            "ticket_pk": self.ticket.pk,
            "ticket_id": self.ticket.pk,
            "payment_pk": self.payment.pk,
            "payment_id": self.payment.pk,
            "bank_import_pk": self.bank_import.pk,
            "bank_import_id": self.bank_import.pk,
            "bank_line_pk": self.bank_line.pk,
            "bank_line_id": self.bank_line.pk,
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
            list(self.contract.__class__.objects.values().filter(pk=self.contract.pk)),
            list(self.contract.unit.__class__.objects.values().filter(pk=self.contract.unit_id)),
            list(self.ticket.__class__.objects.values().filter(pk=self.ticket.pk)),
            list(self.visit.__class__.objects.values().filter(pk=self.visit.pk)),
            list(self.bank_line.__class__.objects.values().filter(pk=self.bank_line.pk)),
            self.contract.charges.count(),
            self.payment.__class__.objects.count(),
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
            headers: dict[str, Any] = (
                {"HTTP_AUTHORIZATION": f"Bearer {token}"} if route.startswith("api/") else {}
            )
            has_object = bool(
                set(pattern.pattern.regex.groupindex) - PERIOD_PARAMETERS
            ) and not route.startswith(PUBLIC_PREFIXES)
            before = self.snapshot()
            response = self.client.get(url, **headers)
            if has_object and response.status_code not in REFUSED:
                problems.append(f"GET {url} answered {response.status_code}, not a refusal")
            if response.status_code >= 500:
                problems.append(f"GET {url} answered {response.status_code}")
            body = response.content.decode(errors="replace")
            secrets = (*SECRETS, "Leaks water", self.contract.payment_reference)
            problems += [f"GET {url} shows {s!r}" for s in secrets if s in body]
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
