"""The shared base test case and its small named cast.

The cast (made once per test class, in setUpTestData):

Organisations
  lead      Samenlevingsopbouw West-Vlaanderen — community organisation, leads `rental`
  ocmw      OCMW Brugge — welfare office, partner of `rental` (referrer and collector)
  kortrijk  Sociaal Huis Kortrijk — welfare office, partner of `rental` (referrer)
  supplier  Elektro Desmet — supplier, partner of `rental`
  arnhem    Bewonersinitiatief Spijkerkwartier — Dutch, takes no part in `rental`

Programme
  rental    "Huishoudtoestellen huren" led by `lead`; eligible when social tariff, welfare
            client or net income under the limit for the household size

Users (password "wachtwoord-123" for all)
  cora  coordinator at lead        ines  intake worker at ocmw     ilse  intake worker at kortrijk
  ada   org admin at ocmw          vera  viewer at ocmw            tom   technician at supplier
  jo    job coach at lead          wout  neighbourhood worker at lead
  otto  coordinator at arnhem

Households
  jansens  registered by ocmw, enrolled in rental
  peeters  registered by ocmw, not enrolled
  dubois   registered by kortrijk, not enrolled
"""

import re
import zlib
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.test import TestCase
from django.utils import translation

from core.models import Organisation, Programme, ProgrammePartner, Role, Tariff
from core.tenancy import Acting, acting_for
from households.counts import enrolment_moved
from households.models import Enrolment, Household

PASSWORD = "wachtwoord-123"


def pdf_text(pdf: bytes) -> bytes:
    """The PDF with its compressed streams opened, to look for its structure (PDF/UA tags,
    the language); pypdf is not installed."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def clock_at(day: date) -> "time_machine.travel":
    """Run a test (or a whole test class, set-up included) on `day`, 10:00 in Brussels, with
    the clock ticking: for tests whose figures depend on what "today" is."""
    return time_machine.travel(
        datetime.combine(day, time(10), tzinfo=ZoneInfo("Europe/Brussels")), tick=True
    )


RENTAL_RULES = {
    "any_of": ["social_tariff", "welfare_client", "income_below"],
    "income_limits": {"1": "1600", "2": "2100", "3": "2500", "extra_person": "400"},
}


def enrol(household: Household, programme: Programme, status: str = "enrolled") -> Enrolment:
    """An enrolment made directly, without the eligibility decision of `household_enrol`, with
    the kept enrolment count moved as that service moves it (households/counts.py)."""
    with transaction.atomic():
        enrolment = Enrolment.objects.create(
            household=household, programme=programme, status=status
        )
        enrolment_moved(programme_id=programme.pk, from_status=None, to_status=status)
    return enrolment


def make_household(org: Organisation, **fields: Any) -> Household:
    values: dict[str, Any] = {
        "first_name": "An",
        "last_name": "Jansens",
        "street": "Kerkstraat",
        "house_number": "12",
        "postcode": "8000",
        "city": "Brugge",
        "country": "BE",
        "language": "nl",
        "contact_channel": "letter",
        "size": 2,
    }
    values.update(fields)
    household = Household(organisation=org, **values)
    household.refresh_keys()
    household.save()
    return household


def build_cast(cls: Any) -> None:
    """Make the cast and set each member as an attribute of `cls` (a test class or object)."""

    def org(slug: str, name: str, kind: str, country: str = "BE") -> Organisation:
        return Organisation.objects.create(
            slug=slug,
            name=name,
            kind=kind,
            country=country,
            time_zone="Europe/Amsterdam" if country == "NL" else "Europe/Brussels",
        )

    cls.lead = org("sowv", "Samenlevingsopbouw West-Vlaanderen", "community")
    cls.ocmw = org("ocmw-brugge", "OCMW Brugge", "welfare_office")
    cls.kortrijk = org("sh-kortrijk", "Sociaal Huis Kortrijk", "welfare_office")
    cls.supplier = org("desmet", "Elektro Desmet", "supplier")
    cls.arnhem = org("spijkerkwartier", "Bewonersinitiatief Spijkerkwartier", "community", "NL")

    cls.rental = Programme.objects.create(
        name="Huishoudtoestellen huren",
        slug="huren-wvl",
        kind="appliance_rental",
        lead_organisation=cls.lead,
        eligibility_rules=RENTAL_RULES,
    )
    for partner, role in (
        (cls.ocmw, "referrer"),
        (cls.ocmw, "collector"),
        (cls.kortrijk, "referrer"),
        (cls.supplier, "supplier"),
    ):
        ProgrammePartner.objects.create(programme=cls.rental, organisation=partner, role=role)
    Tariff.objects.create(
        programme=cls.rental,
        valid_from="2026-01-01",
        electricity_standard=Decimal("0.3300"),
        electricity_social=Decimal("0.1900"),
        water=Decimal("5.2000"),
        co2=Decimal("0.1600"),
    )

    User = get_user_model()
    for username, org_, role in (
        ("cora", cls.lead, Role.COORDINATOR),
        ("ines", cls.ocmw, Role.INTAKE_WORKER),
        ("ilse", cls.kortrijk, Role.INTAKE_WORKER),
        ("ada", cls.ocmw, Role.ORG_ADMIN),
        ("vera", cls.ocmw, Role.VIEWER),
        ("tom", cls.supplier, Role.TECHNICIAN),
        ("jo", cls.lead, Role.JOB_COACH),
        ("wout", cls.lead, Role.NEIGHBOURHOOD_WORKER),
        ("otto", cls.arnhem, Role.COORDINATOR),
    ):
        user = User.objects.create_user(username=username, password=PASSWORD)
        user.memberships.create(organisation=org_, role=role)
        setattr(cls, username, user)

    cls.jansens = make_household(cls.ocmw, first_name="An", last_name="Jansens", social_tariff=True)
    cls.peeters = make_household(
        cls.ocmw, first_name="Piet", last_name="Peeters", street="Langestraat", house_number="5"
    )
    cls.dubois = make_household(
        cls.kortrijk,
        first_name="Marie",
        last_name="Dubois",
        street="Doorniksestraat",
        house_number="40",
        postcode="8500",
        city="Kortrijk",
        language="fr",
    )
    enrol(cls.jansens, cls.rental)


class WijkTestCase(TestCase):
    lead: Organisation
    ocmw: Organisation
    kortrijk: Organisation
    supplier: Organisation
    arnhem: Organisation
    rental: Programme
    jansens: Household
    peeters: Household
    dubois: Household
    cora: User
    ines: User
    ilse: User
    ada: User
    vera: User
    tom: User
    jo: User
    wout: User
    otto: User

    # The language the test client asks for (a cookie); None: the site's default, Dutch.
    client_language: str | None = None

    @classmethod
    def setUpTestData(cls) -> None:
        build_cast(cls)

    def setUp(self) -> None:
        super().setUp()
        cache.clear()  # rate limits and cached figures of one test never reach the next
        # Service messages in tests are read in English, whatever a request activated before.
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        if self.client_language:
            self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = self.client_language

    def acting(self, username: str) -> Acting:
        """The named cast member acting for their (first) organisation."""
        acting = acting_for(getattr(self, username))
        if acting is None:
            raise RuntimeError("acting must be set")
        return acting

    def login(self, username: str) -> None:
        self.client.force_login(getattr(self, username))
