"""What the route matrix and the isolation walk share: the world, every route, a valid request
for each, and a way to send it that leaves the world as it was.

The world (WalkTestCase.setUpTestData, built once per test class) is the named cast plus:
  - a member of every role in each of the five organisations: lead (leads `rental`), ocmw
    (registered jansens, collects), kortrijk (a referring partner), supplier (the programme's
    supplier: tom is the technician the repair visit is assigned to, tim is not), arnhem
    (a stranger); the cast's own members fill their roles (cora, ines, ada, vera, ...);
  - jansens's active contract (direct debit, IBAN), its installation visit, a ticket and the
    repair visit planned for it, a charge, a payment, a bank statement line, a consent, a
    restricted note and a resident link;
  - claes (registered by ocmw), enrolled in the lead's rental programme — a contract (direct
    debit, its own IBAN), a charge, a payment and an arrears step — and in arnhem's job bureau:
    arnhem sees the household (it leads a programme claes is enrolled in), never its rental
    money (`WalkTestCase.money_of_another_lead`, the isolation walk's second pass).
"""

import importlib
import importlib.util
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers import exception as exception_handling
from django.db import connection, transaction
from django.http import HttpResponse
from django.template import Template
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone, translation

from core.access import ELSEWHERE, Access, declared
from core.models import Organisation, Role, Run
from core.tenancy import Acting, acting_for
from core.tokens import api_token_create
from households.models import Consent, RestrictedNote
from rentals.tests.cast import RentalTestCase

API = "/api/v1"
# claes's rental money (the world, below): secrets from the lead of claes's other programme.
CLAES_IBAN = "BE68539007547034"
CLAES_PAYMENT = "Kasticket CLAES-0042"
CLAES_ARREARS = "Afbetalingsplan met Mia besproken"
# Path parameters that choose a period, not a record.
PERIOD_PARAMETERS = {"year", "month"}


@dataclass
class Identity:
    label: str  # "lead coordinator", "anonymous"
    user: Any = None
    organisation: Organisation | None = None
    role: str | None = None
    token: str = ""

    @property
    def acting(self) -> Acting | None:
        return acting_for(self.user) if self.user else None


@dataclass
class Route:
    key: str  # URL name for pages, "METHOD /path" for API operations
    template: str  # the path with "<name>" or "{name}" placeholders
    methods: tuple[str, ...]
    access: Access | None
    api: bool
    parameters: tuple[str, ...]

    def url(self, objects: dict[str, Any]) -> str | None:
        url = self.template
        for name in self.parameters:
            if name not in objects:
                return None
            value = objects[name]
            url = url.replace(f"<{name}>", str(getattr(value, "pk", value)))
            url = url.replace(f"{{{name}}}", str(getattr(value, "pk", value)))
        return url

    def record_parameter(self) -> str | None:
        return next((p for p in self.parameters if p not in PERIOD_PARAMETERS), None)


def _walk_patterns(patterns: list[Any], prefix: str = "", ns: str = "") -> Iterator[Any]:
    for p in patterns:
        if isinstance(p, URLResolver):
            space = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from _walk_patterns(p.url_patterns, prefix + str(p.pattern), space)
        else:
            yield prefix + str(p.pattern), p, ns


def page_routes() -> list[Route]:
    """Every URL pattern outside the API operations (those are walked as operations)."""
    import re

    routes = []
    for pattern, p, ns in _walk_patterns(get_resolver().url_patterns):
        name = f"{ns}{p.name}" if p.name else pattern
        callback = p.callback
        if name.startswith("api:") and name not in ELSEWHERE:
            continue  # an API operation
        access = ELSEWHERE.get(name) or declared(callback) or declared(getattr(p, "callback", None))
        template = "/" + pattern.replace("^", "").replace("$", "").replace("\\Z", "")
        # <int:household_pk> → <household_pk>
        template = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", template)
        parameters = tuple(re.findall(r"<(\w+)>", template))
        methods = tuple(page_requests().get(name, {"GET": None}))
        routes.append(Route(name, template, methods, access, False, parameters))
    return routes


def api_routes() -> list[Route]:
    import re

    from wijk.api import api

    routes = []
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            full = "/".join(part for part in (router.prefix, path) if part)
            template = re.sub("/+", "/", API + "/" + full)
            template = re.sub(r"{(?:\w+:)?(\w+)}", r"{\1}", re.sub(r"{[^}:]+:", "{", template))
            parameters = tuple(re.findall(r"{(\w+)}", template))
            for operation in path_view.operations:
                for method in operation.methods:
                    key = f"{method} {template.removeprefix(API)}"
                    routes.append(
                        Route(
                            key,
                            template,
                            (method,),
                            declared(operation.view_func),
                            True,
                            parameters,
                        )
                    )
    return routes


# --- valid requests -----------------------------------------------------------------------
# A value may be a callable of the test case, for ids of the world.
W = Callable[[Any], Any]

PAGE_REQUESTS: dict[str, dict[str, Any]] = {
    "login": {"GET": None},
    "logout": {"POST": {}},
    "set_language": {"POST": {"language": "en", "next": "/"}},
    "organisation_switch": {"POST": lambda t: {"organisation": t.own().pk}},
    "organisation_edit": {
        "GET": None,
        "POST": lambda t: {
            "name": t.own().name,
            "language": "nl",
            "time_zone": "Europe/Brussels",
            "email": "info@example.org",
            "phone": "",
            "street": "Markt",
            "postcode": "8000",
            "city": "Brugge",
            "iban": "",
            "enterprise_number": "",
            "sepa_creditor_id": "",
        },
    },
    "programme_partner_add": {
        "GET": None,
        "POST": lambda t: {"organisation": t.arnhem.pk, "role": "referrer"},
    },
    "programme_partner_remove": {"POST": {}},
    "programme_tariff_add": {
        "GET": None,
        "POST": {
            "valid_from": "2027-01-01",
            "electricity_standard": "0.3400",
            "electricity_social": "0.2000",
            "water": "5.3000",
            "co2": "0.1700",
        },
    },
    "households:create": {
        "GET": None,
        "POST": {
            "first_name": "Els",
            "last_name": "Nieuwe",
            "street": "Zandstraat",
            "house_number": "3",
            "postcode": "8000",
            "city": "Brugge",
            "country": "BE",
            "language": "nl",
            "contact_channel": "letter",
            "size": "1",
            "debt_support": "none",
        },
    },
    "households:edit": {
        "GET": None,
        "POST": {
            "first_name": "An",
            "last_name": "Jansens",
            "street": "Kerkstraat",
            "house_number": "14",
            "postcode": "8000",
            "city": "Brugge",
            "country": "BE",
            "language": "nl",
            "contact_channel": "letter",
            "size": "2",
            "social_tariff": "on",
            "debt_support": "none",
        },
    },
    "households:enrol": {"GET": None, "POST": lambda t: {"programme": t.energy.pk}},
    "households:consent_add": {"POST": {"purpose": "programme", "given_on": "2026-02-01"}},
    "households:consent_withdraw": {"POST": {}},
    "households:note_add": {"POST": {"text": "Called, all fine."}},
    "households:erase": {"GET": None, "POST": lambda t: {"reference": t.jansens.reference}},
    "rentals:scheme": {
        "POST": lambda t: {
            "collector": t.ocmw.pk,
            "supplier": t.supplier.pk,
            "max_appliances": 3,
            "ticket_reminder_days": 10,
        }
    },
    "rentals:offer": {
        "POST": {"category": "dishwasher", "tenant_fee": "8.50", "subsidy": "2", "term_months": 120}
    },
    "rentals:catalogue": {
        "GET": None,
        "POST": {
            "category": "fridge",
            "brand": "Miele",
            "model_name": "K 1",
            "energy_class": "C",
            "label_scale": "2021",
            "kwh_per_year": "120",
        },
    },
    "rentals:unit_create": {
        "GET": None,
        "POST": lambda t: {"appliance_model": t.fridge.pk, "serial": "F-099", "status": "in_stock"},
    },
    "rentals:unit_transition": {"POST": {"to": "in_repair", "note": ""}},
    "rentals:resident_link": {"POST": {}},
    "rentals:apply": {
        "GET": None,
        "POST": lambda t: {
            "programme": t.rental.pk,
            "category": "fridge",
            "old_age_band": "unknown",
        },
    },
    "rentals:application_prioritise": {"GET": None, "POST": {"reason": "Baby at home"}},
    "rentals:application_contract": {"POST": {}},
    "rentals:application_cancel": {"GET": None, "POST": {}},
    "rentals:contract_sign": {
        "POST": {"payment_method": "transfer", "installation_on": "2026-03-02"}
    },
    "rentals:contract_end": {"POST": {"reason": "moved", "on": "2026-06-30", "confirm": "yes"}},
    "rentals:visit_assign": {
        "GET": None,
        "POST": lambda t: {"technician": t.tom.pk, "planned_on": "2026-02-12", "window": "9-12"},
    },
    "rentals:today_visit": {"GET": None, "POST": {"report": "Repaired the pump."}},
    "rentals:ticket_open": {"GET": None, "POST": {"channel": "phone", "description": "Noisy"}},
    "rentals:ticket_plan": {"POST": {"kind": "repair", "planned_on": "2026-02-20"}},
    "collection:billing": {"GET": None, "POST": {"month": "2026-02"}},
    "collection:payment_add": {
        "POST": {"amount": "7.50", "received_on": "2026-02-10", "method": "cash", "reference": ""}
    },
    "collection:arrears_step": {"POST": {"level": "1", "note": "Letter sent."}},
    "collection:import_upload": {
        "GET": None,
        "POST": lambda t: {"file": SimpleUploadedFile("bank.csv", t.bank_csv, "text/csv")},
    },
    "collection:line_resolve": {"POST": lambda t: {"contract": t.contract.pk}},
    "collection:line_ignore": {"POST": {"reason": "Not ours."}},
    "collection:direct_debit": {
        "GET": None,
        "POST": lambda t: {
            "programme": t.rental.pk,
            "collection_date": "2026-02-20",
            "creditor_id": "BE69ZZZ050D000000008",
        },
    },
    "resident:pin": {"GET": None, "POST": {"pin": "000000"}},
    "resident:breakdown": {"GET": None, "POST": {"description": "Leaks again"}},
    "resident:logout": {"POST": {}},
    "notification_list": {"GET": None, "POST": {"read": "all"}},
    "account_tokens": {"GET": None, "POST": {"name": "walk", "days": "30"}},
    # GET without a token answers the list again; POST revokes the identity's own token.
    "account_token_revoke": {
        "GET": None,
        "POST": lambda t: {"token": t.own_token(), "confirm": "yes"},
    },
    # core/tests/leaky_urls.py
    "leak_write": {"POST": {"city": "Gent"}},
    "leak_no_role": {"GET": None, "POST": {"city": "Gent"}},
}

API_BODIES: dict[str, Any] = {
    "POST /auth/token": {"username": "nobody", "password": "wrong"},
    "PATCH /organisations/{organisation_id}": {"city": "Brugge"},
    "POST /programmes": {"name": "Buurtbaan", "slug": "buurtbaan", "kind": "job_bureau"},
    "PATCH /programmes/{programme_id}": {"description": "Washing machines and fridges."},
    "POST /programmes/{programme_id}/partners": lambda t: {
        "organisation": t.arnhem.slug,
        "role": "referrer",
    },
    "POST /programmes/{programme_id}/tariffs": {
        "valid_from": "2027-01-01",
        "electricity_standard": "0.34",
        "electricity_social": "0.20",
        "water": "5.30",
        "co2": "0.17",
    },
    "POST /notifications/read": {"all": True},
    "POST /households": {
        "first_name": "Els",
        "last_name": "Nieuwe",
        "street": "Zandstraat",
        "house_number": "3",
        "postcode": "8000",
        "city": "Brugge",
        "country": "BE",
        "language": "nl",
        "contact_channel": "letter",
    },
    "PATCH /households/{household_id}": {"house_number": "14"},
    "POST /households/{household_id}/erase": {},
    "POST /households/{household_id}/enrolments": lambda t: {"programme": t.energy.pk},
    "PUT /rentals/programmes/{programme_id}/scheme": lambda t: {
        "collector": t.ocmw.slug,
        "supplier": t.supplier.slug,
    },
    "PUT /rentals/programmes/{programme_id}/offers": {
        "category": "dishwasher",
        "tenant_fee": "8.50",
        "subsidy": "2.00",
    },
    "POST /rentals/programmes/{programme_id}/appliance-models": {
        "category": "fridge",
        "brand": "Miele",
        "model_name": "K 1",
        "energy_class": "C",
        "kwh_per_year": "120",
    },
    "POST /rentals/programmes/{programme_id}/units": lambda t: {
        "appliance_model": t.fridge.pk,
        "serial": "F-099",
    },
    "POST /rentals/units/{unit_id}/transition": {"to": "in_repair"},
    "POST /rentals/programmes/{programme_id}/applications": lambda t: {
        "household": t.jansens.pk,
        "category": "fridge",
    },
    "POST /rentals/applications/{application_id}/priority": {"reason": "Baby at home"},
    "POST /rentals/applications/{application_id}/contract": {},
    "POST /rentals/contracts/{contract_id}/sign": {
        "payment_method": "transfer",
        "installation_on": "2026-03-02",
    },
    "POST /rentals/contracts/{contract_id}/end": {"reason": "moved", "on": "2026-06-30"},
    "POST /rentals/contracts/{contract_id}/visits": {"kind": "repair", "planned_on": "2026-02-20"},
    "POST /rentals/visits/{visit_id}/assign": lambda t: {
        "technician": t.tom.username,
        "planned_on": "2026-02-12",
    },
    "POST /rentals/visits/{visit_id}/complete": {"report": "Repaired the pump."},
    "POST /rentals/contracts/{contract_id}/tickets": {"channel": "phone", "description": "Noisy"},
    "POST /rentals/programmes/{programme_id}/billing-runs": {"month": "2026-02"},
    "POST /rentals/households/{household_id}/payments": {
        "amount": "7.50",
        "received_on": "2026-02-10",
        "method": "cash",
    },
    "POST /rentals/bank-imports": lambda t: {
        "file": SimpleUploadedFile("bank.csv", t.bank_csv, "text/csv")
    },
    "POST /rentals/programmes/{programme_id}/sepa-export": {
        "collection_date": "2026-02-20",
        "creditor_id": "BE69ZZZ050D000000008",
    },
}


# --- what each programme app adds -------------------------------------------------------


@dataclass(frozen=True)
class WalkPart:
    """A programme app's share of the walk, as `PART` in `<app>/tests/walk.py`.

    world(cls) runs at the end of WalkTestCase.setUpTestData (the cast and rentals' world
    exist) and makes the app's records for the victims (the lead and ocmw); it returns path
    parameter → record, e.g. {"worker": worker} for `<worker_pk>` and `{worker_id}`.
    secrets(case) are texts of those records that no stranger may ever see."""

    world: Callable[[Any], dict[str, Any]]
    page_requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    api_bodies: dict[str, Any] = field(default_factory=dict)
    secrets: Callable[[Any], tuple[str, ...]] = lambda case: ()


@cache
def walk_parts() -> tuple[WalkPart, ...]:
    found = []
    base = Path(settings.BASE_DIR).resolve()
    installed = Path(sys.prefix).resolve()  # the virtualenv may live inside the repository
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.walk"
        where = Path(config.path).resolve()
        if not where.is_relative_to(base) or where.is_relative_to(installed):
            # An installed package's tests are not ours (django-leaflet's import GeoDjango).
            continue
        if config.name == "core" or importlib.util.find_spec(f"{config.name}.tests") is None:
            continue
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name).PART)
    return tuple(found)


def page_requests() -> dict[str, dict[str, Any]]:
    merged = dict(PAGE_REQUESTS)
    for part in walk_parts():
        merged.update(part.page_requests)
    return merged


def api_bodies() -> dict[str, Any]:
    merged = dict(API_BODIES)
    for part in walk_parts():
        merged.update(part.api_bodies)
    return merged


ORGANISATIONS = ("lead", "ocmw", "kortrijk", "supplier", "arnhem")
# The cast's members, by (organisation, role); the other roles get a member made here.
CAST: dict[tuple[str, str], str] = {
    ("lead", Role.COORDINATOR): "cora",
    ("lead", Role.JOB_COACH): "jo",
    ("lead", Role.NEIGHBOURHOOD_WORKER): "wout",
    ("ocmw", Role.INTAKE_WORKER): "ines",
    ("ocmw", Role.ORG_ADMIN): "ada",
    ("ocmw", Role.VIEWER): "vera",
    ("kortrijk", Role.INTAKE_WORKER): "ilse",
    ("supplier", Role.TECHNICIAN): "tom",
    ("arnhem", Role.COORDINATOR): "otto",
}


class _FakePDF:
    """WeasyPrint stand-in: the walk needs the answer, not the typesetting (a second a PDF);
    the 'PDF' is the HTML it was made from, so the secret search reads what it would show."""

    def __init__(self, string: str = "", **kwargs: Any) -> None:
        self.string = string

    def write_pdf(self, *args: Any, **kwargs: Any) -> bytes:
        return b"%PDF-1.7\n" + self.string.encode()


def _plain_render(self: Template, context: Any) -> Any:
    """django.template.Template._render as it is outside tests."""
    return self.nodelist.render(context)


class WalkTestCase(RentalTestCase):
    identities: list[Identity]
    identity: Identity
    energy: Any
    tim: Any
    contract: Any
    installation: Any
    ticket: Any
    visit: Any
    payment: Any
    bank_import: Any
    bank_line: Any
    part_objects: dict[str, Any]
    consent: Consent
    note: RestrictedNote
    resident_key: str
    partner: Any
    bank_csv: bytes
    background_run: Any
    claes: Any
    claes_contract: Any
    claes_payment: Any
    arnhem_bureau: Any

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from core.models import Programme
        from rentals import services as rentals
        from rentals.models import ArrearsStep, BankImport, BankLine, Contract, Visit
        from rentals.services.resident import resident_access_issue
        from wijk.testing import enrol, make_household

        User = get_user_model()
        cls.energy = Programme.objects.create(
            name="Zonnedelen Brugge",
            slug="zon-brugge",
            kind="energy_sharing",
            lead_organisation=cls.lead,
            eligibility_rules={"any_of": ["social_tariff"]},
        )
        cls.tim = User.objects.create_user(username="tim", password="x")
        cls.tim.memberships.create(organisation=cls.supplier, role=Role.TECHNICIAN)
        cls.identities = [Identity("anonymous")]
        for org_name in ORGANISATIONS:
            org = getattr(cls, org_name)
            for role in Role.values:
                username = CAST.get((org_name, role))
                if username:
                    user = getattr(cls, username)
                else:
                    user = User.objects.create_user(username=f"{org_name}-{role}", password="x")
                    user.memberships.create(organisation=org, role=role)
                cls.identities.append(Identity(f"{org_name} {role}", user, org, role))
        cls.identities.append(Identity("supplier technician (not assigned)", cls.tim, cls.supplier))
        cls.identities[-1].role = Role.TECHNICIAN
        for identity in cls.identities[1:]:
            identity.token = api_token_create(user=identity.user)

        case = cls("setUp")
        case.__dict__.update({k: getattr(cls, k) for k in ("jansens", "rental")})
        cls.contract = case.active_contract(
            installed_on=date(2026, 1, 5), payment_method="direct_debit"
        )
        cls.installation = cls.contract.visits.get(kind=Visit.Kind.INSTALLATION)
        ines = cls.acting_of(cls.ines)
        cls.ticket = rentals.ticket_open(
            contract=cls.contract, channel="phone", description="Leaks water", acting=ines
        )
        cls.visit = rentals.visit_plan(
            acting=ines,
            contract=cls.contract,
            kind=Visit.Kind.REPAIR,
            planned_on=date(2026, 2, 10),
            technician=cls.tom,
            ticket=cls.ticket,
        )
        rentals.billing_run(programme=cls.rental, month=date(2026, 1, 1))
        cls.payment = rentals.payment_record(
            acting=ines,
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
            text=cls.contract.payment_reference,
            status=BankLine.Status.UNMATCHED,
        )
        # A notification for the lead's coordinator naming the household (core.notifications).
        from core.models import Notification

        Notification.objects.create(
            recipient=cls.cora,
            organisation=cls.lead,
            kind="rentals.ticket_opened",
            params={"reference": cls.jansens.reference, "unit": cls.contract.unit.serial},
            url=f"/rentals/tickets/{cls.ticket.pk}/",
        )
        # A finished background run of the lead (core.runs): its page and GET /runs/{run_id}.
        cls.background_run = Run.objects.create(
            organisation=cls.lead,
            programme=cls.rental,
            kind="rentals.billing",
            target_key=f"{cls.lead.pk}:{cls.rental.pk}:2026-01",
            requested_by=cls.cora,
            status=Run.Status.DONE,
            finished_at=timezone.now(),
            progress_done=1,
            progress_total=1,
            parameters={"month": "2026-01"},
            result={"created": 1, "summary": "1 charge was created for 2026-01."},
            back_url=f"/rentals/collection/programmes/{cls.rental.pk}/billing/",
        )
        cls.arnhem_bureau = Programme.objects.create(
            name="Buurtbaanbureau Walk",
            slug="bbb-walk",
            kind="job_bureau",
            lead_organisation=cls.arnhem,
        )
        cls.claes = make_household(
            cls.ocmw, first_name="Mia", last_name="Claes", street="Walstraat", house_number="3"
        )
        enrol(cls.claes, cls.rental)
        enrol(cls.claes, cls.arnhem_bureau)
        cls.claes_contract = case.active_contract(
            household=cls.claes, installed_on=date(2026, 1, 12), payment_method="direct_debit"
        )
        Contract.objects.filter(pk=cls.claes_contract.pk).update(debtor_iban=CLAES_IBAN)
        rentals.billing_run(programme=cls.rental, month=date(2026, 1, 1))  # claes's charge
        cls.claes_payment = rentals.payment_record(
            acting=ines,
            household=cls.claes,
            amount=Decimal("2.00"),
            received_on=date(2026, 2, 2),
            method="cash",
            reference=CLAES_PAYMENT,
        )
        ArrearsStep.objects.create(
            household=cls.claes,
            programme=cls.rental,
            collector=cls.ocmw,
            level=ArrearsStep.Level.REMINDER_LETTER,
            arrears=Decimal("4.27"),
            note=CLAES_ARREARS,
            letter=b"%PDF-1.7 a reminder letter",
        )
        cls.part_objects = {}
        for part in walk_parts():
            cls.part_objects.update(part.world(cls))
        cls.consent = Consent.objects.create(
            household=cls.jansens, purpose="programme", given_on=date(2026, 1, 5)
        )
        cls.note = RestrictedNote.objects.create(
            household=cls.jansens, organisation=cls.ocmw, text="Ring twice, dog in the garden"
        )
        cls.resident_key, _pin = resident_access_issue(acting=ines, household=cls.jansens)
        cls.partner = cls.rental.partners.get(organisation=cls.kortrijk)
        cls.bank_csv = (
            "date;amount;counterparty;iban;communication\n"
            f"2026-02-04;7,50;A Jansens;BE71096123456769;{cls.contract.payment_reference}\n"
        ).encode()

    def objects(self) -> dict[str, Any]:
        """Path parameter → the record (or value) every route is asked about."""
        contract = self.contract
        values: dict[str, Any] = {
            "household": self.jansens,
            "programme": self.rental,
            "partner": self.partner,
            "tariff": self.rental.tariffs.first(),
            "consent": self.consent,
            "note": self.note,
            "appliance_model": self.washer,
            "unit": contract.unit,
            "application": contract.application,
            "contract": contract,
            "visit": self.visit,
            "ticket": self.ticket,
            "payment": self.payment,
            "bank_import": self.bank_import,
            "bank_line": self.bank_line,
            "organisation": self.ocmw,
            "run": self.background_run,
            **self.part_objects,
        }
        found = {f"{name}_{suffix}": v for name, v in values.items() for suffix in ("pk", "id")}
        found.update(
            key=self.resident_key, label_code=contract.unit.label_code, year=2026, month="2026-01"
        )
        return found

    def secrets(self) -> tuple[str, ...]:
        """Texts of the victims' records (ocmw's jansens, the lead's programme) that no answer
        to the stranger (arnhem) may ever show."""
        return (
            "Jansens",
            "Peeters",
            "Kerkstraat",
            "Langestraat",
            self.jansens.reference,
            self.contract.payment_reference,
            "BE71096123456769",  # jansens's IBAN (direct debit)
            "BE71 0961 2345 6769",
            "Huishoudtoestellen huren",
            "OCMW Brugge",
            "Ring twice",
            "Leaks water",
            # claes's rental money, which arnhem (leading claes's job bureau) never sees.
            self.claes_contract.payment_reference,
            CLAES_IBAN,
            "BE68 5390 0754 7034",
            CLAES_PAYMENT,
            CLAES_ARREARS,
            *(secret for part in walk_parts() for secret in part.secrets(self)),
        )

    def money_of_another_lead(self) -> dict[str, Any]:
        """objects() with claes's records in place of jansens's: what the lead of claes's
        other programme (arnhem) is asked about in the isolation walk's second pass."""
        contract = self.claes_contract
        values: dict[str, Any] = {
            "household": self.claes,
            "contract": contract,
            "application": contract.application,
            "unit": contract.unit,
            "visit": contract.visits.first(),
            "payment": self.claes_payment,
        }
        found = self.objects()
        for name, value in values.items():
            found.update({f"{name}_pk": value, f"{name}_id": value})
        found["label_code"] = contract.unit.label_code
        return found

    def own(self) -> Organisation:
        return self.identity.organisation or self.lead

    def own_token(self) -> str:
        """The id of one of the identity's own API tokens ("" for the anonymous)."""
        from core.models import ApiToken

        if self.identity.user is None:
            return ""
        token = ApiToken.objects.filter(user=self.identity.user).order_by("pk").first()
        return str(token.pk) if token else ""

    # --- sending ---------------------------------------------------------------------------

    def body_for(self, route: Route, method: str) -> Any:
        if route.api:
            body = api_bodies().get(route.key)
        else:
            body = page_requests().get(route.key, {}).get(method)
        return body(self) if callable(body) else body

    def send(self, client: Client, route: Route, method: str, url: str, body: Any) -> Any:
        """One request as self.identity; returns (response, tables written)."""
        written: list[str] = []

        def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            verb = sql.lstrip().split(" ", 1)[0].upper()
            if verb in ("INSERT", "UPDATE", "DELETE") and not any(
                table in sql for table in ('"django_session"', '"core_apitoken"')
            ):
                written.append(sql.split('"')[1] if '"' in sql else sql[:40])
            return execute(sql, params, many, context)

        headers: dict[str, Any] = {}
        kwargs: dict[str, Any] = {}
        if route.api:
            if self.identity.token:
                headers["HTTP_AUTHORIZATION"] = f"Bearer {self.identity.token}"
            if isinstance(body, dict) and any(
                isinstance(v, SimpleUploadedFile) for v in body.values()
            ):
                kwargs["data"] = body
            elif method not in ("GET", "DELETE"):
                kwargs.update(
                    data=body if body is not None else {}, content_type="application/json"
                )
        elif method != "GET":
            kwargs["data"] = body or {}
        with transaction.atomic(), connection.execute_wrapper(watch):
            response = getattr(client, method.lower())(url, **kwargs, **headers)
            transaction.set_rollback(True)  # every request starts from the same world
        return response, written

    @contextmanager
    def walking(self, reads: Callable[[Identity], bool] = lambda identity: True) -> Iterator[None]:
        """Send requests as the walk does; `reads(identity)`: whether the text of that
        identity's answers is searched (for secrets).

        Django's 403 and 404 pages (the base template with the menu of the refused identity)
        are rendered for real once per identity, status and language; for an identity whose
        answers' text is not read, later refusals answer a copy of that page: the walk then
        reads only their status and what the request wrote, which the copy does not change.
        The answers to an identity whose text is read are always rendered."""
        # Thousands of expected 403/404 answers: Django's request log would print each one.
        log = logging.getLogger("django.request")
        level = log.level
        log.setLevel(logging.CRITICAL)
        rendered: dict[tuple[str, int, str], HttpResponse] = {}
        real_exception_response = exception_handling.get_exception_response

        def refusal_page(request: Any, resolver: Any, status_code: int, exception: Any) -> Any:
            if status_code not in (403, 404) or reads(self.identity):
                return real_exception_response(request, resolver, status_code, exception)
            key = (self.identity.label, status_code, translation.get_language())
            if key not in rendered:
                rendered[key] = real_exception_response(request, resolver, status_code, exception)
            page = rendered[key]
            if page.status_code != status_code:  # the handler itself failed: no copy
                return real_exception_response(request, resolver, status_code, exception)
            return HttpResponse(page.content, status=status_code, content_type=page["Content-Type"])

        # The test runner wraps every template render to record its context for
        # response.context (a copy of the context per template, per include): the walk reads
        # only statuses, written tables and the answer's text, so it renders as production does.
        try:
            with (
                mock.patch("weasyprint.HTML", _FakePDF),
                mock.patch.object(Template, "_render", _plain_render),
                mock.patch.object(exception_handling, "get_exception_response", refusal_page),
            ):
                yield
        finally:
            log.setLevel(level)

    def client_for(self, identity: Identity) -> Client:
        client = Client()
        if identity.user:
            client.force_login(identity.user)
        return client
